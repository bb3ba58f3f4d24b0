"""Social Optimizer: one upload, sized and cropped for each social platform's formats."""
from app.social import api as social_api
from app.social import views


def init_app(app, api) -> None:
    api.register_blueprint(social_api.blp)
    app.register_blueprint(views.bp)
    app.extensions["modules"].append("social_studio")

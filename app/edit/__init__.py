"""Edit Studio: background removal, inpaint, outpaint, search & replace/recolor, relight, erase."""
from app.edit import api as edit_api
from app.edit import views


def init_app(app, api) -> None:
    api.register_blueprint(edit_api.blp)
    app.register_blueprint(views.bp)
    app.extensions["modules"].append("edit_studio")

"""HTTP plumbing shared by every package: the smorest `Api`/`Blueprint`, error rendering, docs."""

"""Project templates for `vibecli new`: loading and checking `scaffold.yaml`, typed variables,
rendering, and asking the model to choose a scaffold and fill its variables."""

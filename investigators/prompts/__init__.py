"""One module per prompt: template, response model, VERSION."""

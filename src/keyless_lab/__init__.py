"""keyless-lab: learn to call Azure OpenAI without access keys."""

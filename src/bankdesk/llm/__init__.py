"""Model providers: one interface, an offline implementation and an OpenAI-compatible one."""

"""The live area: choose a source and options, run a realtime session, watch the transcript."""

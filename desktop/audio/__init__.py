"""Audio sources: microphone capture on PortAudio's thread, files and URL streams."""

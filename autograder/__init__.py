"""Autograder for the "PyTorch for NLP" course kit: probes run student code in a sandbox, a judge scores."""

__version__ = "0.1.0"

"""The untrusted side: a warm worker that forks one isolated process per test."""

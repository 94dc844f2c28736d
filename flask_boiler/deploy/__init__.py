"""Deploying: the functions manifest (functions.yaml) generated from the registered functions."""

"""View models: documents computed from domain models and kept true by triggers."""

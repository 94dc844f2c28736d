"""Hand-written baselines: what you would write with functions-framework and the Firestore client alone."""

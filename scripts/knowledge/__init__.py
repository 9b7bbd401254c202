"""Steps of scripts/update-knowledge: each turns upstream data plus hand-kept facts into one kgen/data file."""

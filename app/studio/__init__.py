"""What every studio shares: input loading, the one studio runner, results, base schemas."""

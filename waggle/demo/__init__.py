"""The demo-organization generator (`waggle demo`); also feeds the scale benchmarks."""

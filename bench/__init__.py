"""Benchmarks of the connector against sandboxes they seed themselves: `dxconnector bench sync|latency`."""

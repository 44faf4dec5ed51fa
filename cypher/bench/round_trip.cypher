// Benchmarks only: the smallest statement, for the cost of one round trip to the server.
RETURN 1 AS one

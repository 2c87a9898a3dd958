"""One mapping function per record kind, between Dynamics records and Xero bodies or `stl3_` rows."""

package console

import "slices"

// Routes returns the patterns of c's pages and state changes, without
// BasePath ("GET /shops/{shop}"), so a test can visit every one.
func Routes(c *Console) []string { return slices.Clone(c.patterns) }

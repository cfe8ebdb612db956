package connector

import wmssync "github.com/wmsbridge/wmsbridge/sync"

var _ wmssync.BudgetReporter = (*Connector)(nil)

// APIBudget implements [wmssync.BudgetReporter]: the shop's query cost
// bucket as the client's Limiter models it (cost points available, the
// bucket's size and its restore rate per second), ok=false before the
// first answer from the shop. It does no I/O.
func (c *Connector) APIBudget() (wmssync.APIBudget, bool) {
	st, ok := c.client.Limiter().Status()
	if !ok {
		return wmssync.APIBudget{}, false
	}
	return wmssync.APIBudget{Available: st.CurrentlyAvailable, Capacity: st.MaximumAvailable, RestoreRate: st.RestoreRate}, true
}

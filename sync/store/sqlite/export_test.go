package sqlite

import "context"

// InboxStats counts the inbox's events by state, for the tests.
type InboxStats struct {
	Pending, Claimed, Completed, Failed int
}

// Stats returns the number of inbox events in each state (a test's view
// of the whole table; hosts use QueueInspector and FailureStore).
func (s *Store) Stats(ctx context.Context) (InboxStats, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT state, count(*) FROM wmsbridge_inbox GROUP BY state`)
	if err != nil {
		return InboxStats{}, err
	}
	defer rows.Close()
	var st InboxStats
	for rows.Next() {
		var state, n int
		if err := rows.Scan(&state, &n); err != nil {
			return InboxStats{}, err
		}
		switch state {
		case statePending:
			st.Pending = n
		case stateClaimed:
			st.Claimed = n
		case stateCompleted:
			st.Completed = n
		case stateFailed:
			st.Failed = n
		}
	}
	return st, rows.Err()
}

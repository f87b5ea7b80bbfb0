package coach

// Notify is the notifier the service sends through, as the scheduler's
// jobs reach it (the numbered wrapper included).
func (s *Service) Notify() Notifier { return s.notify }

// UnconfirmedKey is where the deals a pull found without a second meeting
// are kept for a rep.
func UnconfirmedKey(workspace, rep string) string { return unconfirmedKey(workspace, rep) }

package coach

// Notify is the notifier the service sends through, as the scheduler's
// jobs reach it (the numbered wrapper included).
func (s *Service) Notify() Notifier { return s.notify }

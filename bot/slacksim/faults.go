package slacksim

// FailNext makes the next call to method fail with f. Faults queue up: two calls fail the
// next two calls. Use "response_url" for posts to a response_url.
func (s *Server) FailNext(method string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], f)
}

// FaultsLeft counts the faults queued for method that no call has taken
// yet: a test that must act while a call is held by its fault's Delay
// waits for it to drop.
func (s *Server) FaultsLeft(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.faults[method])
}

func (s *Server) takeFault(method string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.faults[method]
	if len(q) == 0 {
		return Fault{}, false
	}
	s.faults[method] = q[1:]
	return q[0], true
}

// Disconnect asks every connected client to reconnect, as Slack does before maintenance
// (reason "warning", "refresh_requested", …).
func (s *Server) Disconnect(reason string) {
	msg := map[string]any{
		"type":       "disconnect",
		"reason":     reason,
		"debug_info": map[string]any{"host": "applink-sim"},
	}
	for _, c := range s.readyConns() {
		_, _ = c.write(msg)
	}
}

// DropConnections closes every connection's TCP socket without a close frame.
func (s *Server) DropConnections() {
	for _, c := range s.readyConns() {
		c.close()
	}
}

// StopPings stops (or resumes) the websocket ping frames, to test the client's dead-peer check.
func (s *Server) StopPings(stop bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopPings = stop
}

package slacksim

import "context"

// Slack does not let a person change what a button or a form carries, but a
// bot must not rely on that: these drivers send what a hostile client could,
// so tests can show the bot decides on what it stored, not on what it is told.

// ClickForged clicks the element with actionID in m as Click does, with
// value sent as the button's value instead of its own; a button m does not
// have is clicked as if it had one.
func (s *Server) ClickForged(ctx context.Context, userID string, m Message, actionID, value string) (Ack, error) {
	return s.click(ctx, userID, m, actionID, &value)
}

// SubmitForged submits the modal v as Submit does, with metadata sent as its
// private_metadata instead of what the bot wrote there.
func (s *Server) SubmitForged(ctx context.Context, userID string, v View, metadata string, inputs map[string]string) (Ack, error) {
	return s.submit(ctx, userID, v, inputs, &metadata)
}

package socket

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestAckFrames: an ack is the envelope's id and, when there is one, its
// payload, however the payload was given.
func TestAckFrames(t *testing.T) {
	answer := map[string]any{"response_type": "ephemeral", "text": "Logged *Acme* — \"tue\" <10am>"}
	encoded, _ := json.Marshal(answer)
	cases := []struct {
		name    string
		id      string
		payload any
		want    map[string]any
	}{
		{"empty", "e1", nil, map[string]any{"envelope_id": "e1"}},
		{"a value", "e2", answer, map[string]any{"envelope_id": "e2", "payload": answer}},
		{"already encoded", "e3", json.RawMessage(encoded), map[string]any{"envelope_id": "e3", "payload": answer}},
		{"an id to escape", `e"4\`, nil, map[string]any{"envelope_id": `e"4\`}},
	}
	for _, c := range cases {
		frame, err := ackFrame(c.id, c.payload)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var got map[string]any
		if err := json.Unmarshal(frame, &got); err != nil {
			t.Fatalf("%s: %s is not JSON: %v", c.name, frame, err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %s, want %v", c.name, frame, c.want)
		}
	}
}

package socket

import (
	"encoding/json"
	"fmt"

	"github.com/slack-go/slack"
)

// Interaction is an interactive envelope's payload: slack-go's callback
// without the blocks of the message a button was on, which stay bytes
// until asked for, nor those of a submitted form, which are skipped (a
// form's answers are in its view's state).
//
// It travels as a pointer: a callback is 4 KB, and an envelope passes
// several hands before it is answered.
type Interaction struct {
	slack.InteractionCallback
	messageBlocks rawJSON // part of the envelope's frame
}

// MessageBlocks decodes the blocks of the message the interaction came
// from; none when it came from elsewhere or they do not decode.
func (in *Interaction) MessageBlocks() slack.Blocks {
	var blocks slack.Blocks
	if len(in.messageBlocks) == 0 {
		return blocks
	}
	if err := json.Unmarshal(in.messageBlocks, &blocks); err != nil {
		return slack.Blocks{}
	}
	return blocks
}

// callbackFields is slack.InteractionCallback without its own decoding,
// whose fields a lean callback fills but for the shadowed ones.
type callbackFields slack.InteractionCallback

// viewFields is slack.View, whose blocks a lean callback shadows.
type viewFields slack.View

// leanCallback decodes a callback with the blocks left undecoded, into the
// callback itself: a field of the outer struct hides the embedded one of
// the same JSON name. Type is outside for the reason slack-go's own
// decoding gives: the embedded callbacks declare it too, and at one depth
// encoding/json would take neither.
type leanCallback struct {
	*callbackFields
	Type    slack.InteractionType `json:"type"`
	Message struct {
		*slack.Msg
		Blocks rawJSON `json:"blocks"`
	} `json:"message"`
	View struct {
		*viewFields
		Blocks rawJSON `json:"blocks"`
	} `json:"view"`
}

func decodeInteraction(payload []byte) (*Interaction, error) {
	in := &Interaction{}
	cb := &in.InteractionCallback
	lean := leanCallback{callbackFields: (*callbackFields)(cb)}
	lean.Message.Msg = &cb.Message.Msg
	lean.View.viewFields = (*viewFields)(&cb.View)
	if err := json.Unmarshal(payload, &lean); err != nil {
		return nil, err
	}
	cb.Type = lean.Type
	// As slack-go's decoding does: a click's state is the form's values,
	// a legacy dialog's is a string.
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		if len(cb.RawState) > 0 {
			if err := json.Unmarshal(cb.RawState, &cb.BlockActionState); err != nil {
				return nil, fmt.Errorf("decode state: %w", err)
			}
		}
	case slack.InteractionTypeDialogSubmission:
		cb.State = string(cb.RawState)
	}
	in.messageBlocks = lean.Message.Blocks
	return in, nil
}

//go:build race

package bot_test

// raceDetector: the race detector slows the websocket path about tenfold.
const raceDetector = true

package schedtrace

import (
	"fmt"
	"io"

	"golang.org/x/exp/trace"
)

// Parsing (x/exp/trace) is ~80% of the work and single-threaded, so it runs
// in its own goroutine and hands events to the builder in batches: on two
// cores the builder's work then costs no wall time. An Event stays valid
// after later ReadEvent calls (it refers to its generation's immutable
// tables), so events can be handled on another goroutine. Three batches
// circulate, so memory does not grow.

const (
	batchLen     = 1024
	batchesInUse = 3
)

// consume reads tr to the end, feeding b, and returns the number of events
// read and the read error (nil at EOF). A panic while parsing or handling an
// event (x/exp/trace panics on some corrupt input) becomes the error, so bad
// input never takes the caller down.
func (b *builder) consume(tr *trace.Reader) (events int64, err error) {
	full := make(chan []trace.Event, batchesInUse)
	free := make(chan []trace.Event, batchesInUse)
	for range batchesInUse {
		free <- make([]trace.Event, 0, batchLen)
	}
	done := make(chan struct{})
	var readErr error
	go func() {
		defer close(full)
		events, readErr = produce(tr, full, free, done)
	}()
	handleErr := b.handle(full, free)
	if handleErr != nil {
		close(done)
	}
	for range full { // wait for the producer: it must not read r after we return
	}
	if handleErr != nil {
		return events, handleErr
	}
	return events, readErr
}

// produce reads events into batches, keeping only the kinds the builder
// uses, and returns the number of events read.
func produce(tr *trace.Reader, full chan<- []trace.Event, free <-chan []trace.Event, done <-chan struct{}) (n int64, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("trace reader panicked: %v", p)
		}
	}()
	batch := <-free
	defer func() { // hand over what was read before EOF or an error
		if len(batch) > 0 {
			select {
			case full <- batch:
			case <-done:
			}
		}
	}()
	for {
		ev, err := tr.ReadEvent()
		if err == io.EOF {
			// ReadEvent returns io.EOF itself at the end; a trace that
			// breaks off inside a batch header gives an error wrapping
			// it ("error reading batch gen: EOF"), which errors.Is would
			// take for the end, reporting a cut trace as whole.
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
		switch ev.Kind() {
		case trace.EventSync, trace.EventStateTransition, trace.EventLog,
			trace.EventRangeBegin, trace.EventRangeActive, trace.EventRangeEnd:
		default:
			continue
		}
		batch = append(batch, ev)
		if len(batch) < batchLen {
			continue
		}
		select {
		case full <- batch:
		case <-done:
			batch = nil
			return n, nil
		}
		select {
		case batch = <-free:
			batch = batch[:0]
		case <-done:
			batch = nil
			return n, nil
		}
	}
}

// handle feeds batches to the builder until full is closed.
func (b *builder) handle(full <-chan []trace.Event, free chan<- []trace.Event) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("handling trace event panicked: %v", p)
		}
	}()
	for batch := range full {
		for i := range batch {
			b.event(&batch[i])
		}
		clear(batch) // drop references to old generations' tables
		free <- batch
	}
	return nil
}

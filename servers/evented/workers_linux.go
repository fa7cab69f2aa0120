//go:build linux

package evented

import (
	"sync"

	"github.com/benchsuite/threads-vs-loop/servers/workload"
	"golang.org/x/sys/unix"
)

// task is work a loop hands to the pool: a /file read, or /cpu with Offload.
type task struct {
	loop *eventLoop
	conn *conn
	job  workload.Job
}

// completion is a finished task on its way back to its loop.
type completion struct {
	conn   *conn
	body   []byte
	failed bool
}

// workerPool is libuv's thread pool: a fixed number of workers that run blocking work off
// the loops and post the result back to the owning loop through its eventfd.
type workerPool struct {
	wl    *workload.Workload
	tasks chan task
	wg    sync.WaitGroup
}

// newWorkerPool starts n workers. The queue holds one task per possible connection (a
// connection has at most one request away), so a loop never blocks handing work over.
func newWorkerPool(wl *workload.Workload, n, queue int) *workerPool {
	p := &workerPool{wl: wl, tasks: make(chan task, queue)}
	for range n {
		p.wg.Add(1)
		go p.work()
	}
	return p
}

func (p *workerPool) submit(t task) { p.tasks <- t }

func (p *workerPool) work() {
	defer p.wg.Done()
	for t := range p.tasks {
		var cmp completion
		cmp.conn = t.conn
		switch t.job.Endpoint {
		case workload.File:
			body, err := p.wl.ReadFile(t.job.N, nil)
			cmp.body, cmp.failed = body, err != nil
		case workload.CPU:
			p.wl.Burn(t.job.N)
		}
		t.loop.post(cmp)
	}
}

// stop ends the workers once they have finished the queued tasks.
func (p *workerPool) stop() {
	close(p.tasks)
	p.wg.Wait()
}

// eventfdOne is the 8-byte counter increment written to an eventfd.
var eventfdOne = [8]byte{1}

// post queues a completion for the loop and wakes it (one eventfd write per batch).
func (l *eventLoop) post(cmp completion) {
	l.mu.Lock()
	first := len(l.done) == 0
	l.done = append(l.done, cmp)
	l.mu.Unlock()
	if first {
		l.wake()
	}
}

func (l *eventLoop) wake() { unix.Write(l.wakeFD, eventfdOne[:]) }

// drainCompletions answers the requests whose work finished.
func (l *eventLoop) drainCompletions() {
	var counter [8]byte
	unix.Read(l.wakeFD, counter[:])
	l.mu.Lock()
	batch := l.done
	l.done, l.doneSpare = l.doneSpare[:0], batch
	l.mu.Unlock()
	for i := range batch {
		if c := batch[i].conn; !c.closed {
			l.complete(c, batch[i].body, batch[i].failed)
		}
		batch[i] = completion{}
	}
}

package syncer

import (
	"slices"
	"strings"
)

// output is what a plan produces, gathered in the order the EHR listed its appointments: planning them in that order
// keeps its reads of both inputs close to the order they lie in memory. changeset hands it back in key order, so
// that the plan does not depend on the order of its inputs.
type output struct {
	actions pieces[Action]
	skipped pieces[Skip]
	review  pieces[Candidate]
	// chunks are what each EHR key planned, in the order planned.
	chunks pieces[chunk]
}

// A chunk is what one key planned: where its actions, skips and review items start in the output. It ends where the
// next chunk starts.
type chunk struct {
	key                      string
	actions, skipped, review int
}

// position returns where the output stands, as the start of key's chunk.
func (o *output) position(key string) chunk {
	return chunk{key, o.actions.n, o.skipped.n, o.review.n}
}

// planned records the chunk of a key whose planning started at c, unless it planned nothing.
func (o *output) planned(c chunk) {
	if c != o.position(c.key) {
		o.chunks.add(c)
	}
}

// changeset returns the output as a changeset: the chunks, which end at end, in key order (each key has one), then
// what was planned after them, in the order planned.
func (o *output) changeset(end chunk) *Changeset {
	chunks := o.chunks.appendTo(make([]chunk, 0, o.chunks.n+1), 0, o.chunks.n)
	order := make([]int32, len(chunks))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(i, j int32) int { return strings.Compare(chunks[i].key, chunks[j].key) })
	chunks = append(chunks, end)
	cs := &Changeset{
		Actions: make([]Action, 0, o.actions.n),
		Skipped: make([]Skip, 0, o.skipped.n),
		Review:  make([]Candidate, 0, o.review.n),
	}
	for _, i := range order {
		c, next := chunks[i], chunks[i+1]
		cs.Actions = o.actions.appendTo(cs.Actions, c.actions, next.actions)
		cs.Skipped = o.skipped.appendTo(cs.Skipped, c.skipped, next.skipped)
		cs.Review = o.review.appendTo(cs.Review, c.review, next.review)
	}
	cs.Actions = o.actions.appendTo(cs.Actions, end.actions, o.actions.n)
	cs.Skipped = o.skipped.appendTo(cs.Skipped, end.skipped, o.skipped.n)
	cs.Review = o.review.appendTo(cs.Review, end.review, o.review.n)
	return cs
}

// pieces is a list kept in pieces of doubling size, up to 4096 elements: growing it never copies what it holds.
// Grown by append, a list of 100000 skips would allocate five times its size.
type pieces[T any] struct {
	list [][]T
	n    int
}

func (p *pieces[T]) add(v T) {
	last := len(p.list) - 1
	if last < 0 || len(p.list[last]) == cap(p.list[last]) {
		size := 16
		if last >= 0 {
			size = min(2*cap(p.list[last]), 4096)
		}
		p.list = append(p.list, make([]T, 0, size))
		last++
	}
	p.list[last] = append(p.list[last], v)
	p.n++
}

// appendTo appends elements from to to (not included) to dst.
func (p *pieces[T]) appendTo(dst []T, from, to int) []T {
	start := 0
	for _, piece := range p.list {
		if start >= to {
			break
		}
		if end := start + len(piece); from < end {
			dst = append(dst, piece[max(from-start, 0):min(to-start, len(piece))]...)
		}
		start += len(piece)
	}
	return dst
}

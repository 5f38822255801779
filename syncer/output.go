package syncer

import (
	"slices"
	"strings"
)

// output is what a plan produces, gathered in the order the EHR listed its appointments: planning them in that order
// keeps its reads of both inputs close to the order they lie in memory. assemble hands it back in key order, so
// that the plan does not depend on the order of its inputs, nor on how planning was shared out (see planEHR).
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

// assemble returns the outputs of a plan as a changeset: the chunks of parts, each part's ending where it stands,
// in key order (each key has one, in one part), then what tail holds, in the order planned. The parts may have
// planned the keys in any order and been shared out in any way: the changeset is the same.
func assemble(parts []output, tail *output) *Changeset {
	n, sizes := 0, [3]int{tail.actions.n, tail.skipped.n, tail.review.n}
	for i := range parts {
		n += parts[i].chunks.n + 1
		sizes[0], sizes[1], sizes[2] = sizes[0]+parts[i].actions.n, sizes[1]+parts[i].skipped.n, sizes[2]+parts[i].review.n
	}
	// Every part's chunks, each part's followed by where it ends, so that a chunk ends where the next one starts;
	// part says whose each is.
	chunks, part, order := make([]chunk, 0, n), make([]int32, 0, n), make([]int32, 0, n)
	for i := range parts {
		o, start := &parts[i], len(chunks)
		chunks = append(o.chunks.appendTo(chunks, 0, o.chunks.n), o.position(""))
		for at := start; at < len(chunks); at++ {
			part = append(part, int32(i))
			if at < len(chunks)-1 {
				order = append(order, int32(at))
			}
		}
	}
	slices.SortFunc(order, func(i, j int32) int { return strings.Compare(chunks[i].key, chunks[j].key) })
	cs := &Changeset{
		Actions: make([]Action, 0, sizes[0]),
		Skipped: make([]Skip, 0, sizes[1]),
		Review:  make([]Candidate, 0, sizes[2]),
	}
	for _, i := range order {
		o, c, next := &parts[part[i]], chunks[i], chunks[i+1]
		cs.Actions = o.actions.appendTo(cs.Actions, c.actions, next.actions)
		cs.Skipped = o.skipped.appendTo(cs.Skipped, c.skipped, next.skipped)
		cs.Review = o.review.appendTo(cs.Review, c.review, next.review)
	}
	cs.Actions = tail.actions.appendTo(cs.Actions, 0, tail.actions.n)
	cs.Skipped = tail.skipped.appendTo(cs.Skipped, 0, tail.skipped.n)
	cs.Review = tail.review.appendTo(cs.Review, 0, tail.review.n)
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

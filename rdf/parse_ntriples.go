package rdf

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// ParseNTriples reads an N-Triples document line by line: absolute IRIs,
// blank node labels (renamed b1, b2… in order), literals with language or
// datatype. Lines may be as long as a whole literal needs, up to 16 MiB.
func ParseNTriples(r io.Reader) (*Graph, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	g := &Graph{}
	p := &turtle{prefixes: map[string]string{}, blank: newBlanks(), g: g}
	for n := 1; sc.Scan(); n++ {
		p.s, p.i = sc.Text(), 0
		if p.eof() {
			continue
		}
		if err := p.ntriple(); err != nil {
			return nil, fmt.Errorf("n-triples: line %d: %w", n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("n-triples: %w", err)
	}
	return g, nil
}

// ntriple reads one triple with N-Triples' restrictions: no prefixes, no
// abbreviations, no relative IRIs.
func (p *turtle) ntriple() error {
	term := func(subject bool) (Term, error) {
		p.ws()
		switch c := p.peek(); {
		case c == '<':
			iri, err := p.iriRef()
			if err == nil && !strings.Contains(iri, ":") {
				err = fmt.Errorf("relative IRI <%s>", iri)
			}
			return IRI(iri), err
		case c == '_' && strings.HasPrefix(p.s[p.i:], "_:"):
			return p.blankLabel()
		case c == '"' && !subject && !strings.HasPrefix(p.s[p.i:], `"""`):
			return p.literal()
		}
		return Term{}, p.unexpected("an IRI, a blank node or a literal")
	}
	s, err := term(true)
	if err != nil {
		return err
	}
	p.ws()
	if p.peek() != '<' {
		return p.unexpected("a predicate IRI")
	}
	pred, err := term(true)
	if err != nil {
		return err
	}
	o, err := term(false)
	if err != nil {
		return err
	}
	if err := p.expect('.'); err != nil {
		return err
	}
	if !p.eof() {
		return p.unexpected("the end of the line")
	}
	return p.add(s, pred, o)
}

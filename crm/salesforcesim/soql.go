package salesforcesim

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// query is the part of SOQL the simulator answers: SELECT fields FROM
// object [WHERE conditions joined by AND/OR, with parentheses, =, !=, IN,
// NOT IN] [ORDER BY field] [LIMIT n].
type query struct {
	fields  []string
	object  string
	where   cond
	orderBy string
	limit   int
}

// cond is a WHERE clause: matches reports whether a record passes it.
type cond func(rec map[string]any) bool

type lexer struct {
	toks []string
	pos  int
}

func lex(s string) ([]string, error) {
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\n' || c == '\t' || c == '\r':
			i++
		case c == '\'':
			var b strings.Builder
			j := i + 1
			for ; j < len(s) && s[j] != '\''; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
					switch s[j] {
					case 'n':
						b.WriteByte('\n')
					case 'r':
						b.WriteByte('\r')
					case 't':
						b.WriteByte('\t')
					default:
						b.WriteByte(s[j])
					}
					continue
				}
				b.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, fmt.Errorf("unterminated string at %d", i)
			}
			toks = append(toks, "'"+b.String())
			i = j + 1
		case strings.ContainsRune("(),", rune(c)):
			toks = append(toks, string(c))
			i++
		case c == '!' || c == '<' || c == '>' || c == '=':
			j := i + 1
			if j < len(s) && s[j] == '=' {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		default:
			j := i
			for j < len(s) && (unicode.IsLetter(rune(s[j])) || unicode.IsDigit(rune(s[j])) || strings.ContainsRune("_.-:", rune(s[j]))) {
				j++
			}
			if j == i {
				return nil, fmt.Errorf("unexpected %q at %d", c, i)
			}
			toks = append(toks, s[i:j])
			i = j
		}
	}
	return toks, nil
}

func (l *lexer) peek() string {
	if l.pos < len(l.toks) {
		return l.toks[l.pos]
	}
	return ""
}

func (l *lexer) next() string {
	t := l.peek()
	l.pos++
	return t
}

func (l *lexer) keyword(k string) bool {
	if strings.EqualFold(l.peek(), k) {
		l.pos++
		return true
	}
	return false
}

func parseSOQL(s string) (query, error) {
	toks, err := lex(s)
	if err != nil {
		return query{}, err
	}
	l := &lexer{toks: toks}
	var q query
	if !l.keyword("SELECT") {
		return q, fmt.Errorf("expecting SELECT")
	}
	for {
		q.fields = append(q.fields, l.next())
		if l.peek() != "," {
			break
		}
		l.next()
	}
	if !l.keyword("FROM") {
		return q, fmt.Errorf("expecting FROM")
	}
	q.object = l.next()
	if l.keyword("WHERE") {
		if q.where, err = l.or(); err != nil {
			return q, err
		}
	}
	if l.keyword("ORDER") {
		if !l.keyword("BY") {
			return q, fmt.Errorf("expecting BY")
		}
		q.orderBy = l.next()
		_ = l.keyword("ASC")
	}
	if l.keyword("LIMIT") {
		if q.limit, err = strconv.Atoi(l.next()); err != nil {
			return q, fmt.Errorf("LIMIT: %v", err)
		}
	}
	if l.peek() != "" {
		return q, fmt.Errorf("unexpected token: '%s'", l.peek())
	}
	return q, nil
}

func (l *lexer) or() (cond, error) {
	left, err := l.and()
	if err != nil {
		return nil, err
	}
	for l.keyword("OR") {
		right, err := l.and()
		if err != nil {
			return nil, err
		}
		a, b := left, right
		left = func(r map[string]any) bool { return a(r) || b(r) }
	}
	return left, nil
}

func (l *lexer) and() (cond, error) {
	left, err := l.term()
	if err != nil {
		return nil, err
	}
	for l.keyword("AND") {
		right, err := l.term()
		if err != nil {
			return nil, err
		}
		a, b := left, right
		left = func(r map[string]any) bool { return a(r) && b(r) }
	}
	return left, nil
}

func (l *lexer) term() (cond, error) {
	if l.peek() == "(" {
		l.next()
		c, err := l.or()
		if err != nil {
			return nil, err
		}
		if l.next() != ")" {
			return nil, fmt.Errorf("expecting )")
		}
		return c, nil
	}
	field := l.next()
	negate := l.keyword("NOT")
	if l.keyword("IN") {
		if l.next() != "(" {
			return nil, fmt.Errorf("expecting ( after IN")
		}
		var values []any
		for {
			values = append(values, literal(l.next()))
			if l.peek() == ")" {
				l.next()
				break
			}
			if l.next() != "," {
				return nil, fmt.Errorf("expecting , in IN list")
			}
		}
		return func(r map[string]any) bool {
			for _, v := range values {
				if equal(r[field], v) {
					return !negate
				}
			}
			return negate
		}, nil
	}
	op := l.next()
	v := literal(l.next())
	switch op {
	case "=":
		return func(r map[string]any) bool { return equal(r[field], v) }, nil
	case "!=":
		return func(r map[string]any) bool { return !equal(r[field], v) }, nil
	}
	return nil, fmt.Errorf("unsupported operator %q", op)
}

func literal(tok string) any {
	switch {
	case strings.HasPrefix(tok, "'"):
		return tok[1:]
	case strings.EqualFold(tok, "true"):
		return true
	case strings.EqualFold(tok, "false"):
		return false
	case strings.EqualFold(tok, "null"):
		return nil
	}
	if f, err := strconv.ParseFloat(tok, 64); err == nil {
		return f
	}
	return tok
}

// equal compares as SOQL does: strings without regard to case.
func equal(a, b any) bool {
	if as, ok := a.(string); ok {
		bs, ok := b.(string)
		return ok && strings.EqualFold(as, bs)
	}
	switch x := a.(type) {
	case int64:
		a = float64(x)
	case int:
		a = float64(x)
	}
	return a == b
}

package yamltree

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"gopkg.in/yaml.v3"
)

// JSON encodes a node (as parsed from a JSON or YAML document) as JSON,
// keeping the key order, indented by indent ("" for compact), with a final
// newline.
func JSON(n *yaml.Node, indent string) ([]byte, error) {
	var buf bytes.Buffer
	if err := writeJSON(&buf, n, ""); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	if indent == "" {
		return buf.Bytes(), nil
	}
	var out bytes.Buffer
	if err := json.Indent(&out, buf.Bytes(), "", indent); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// writeJSON writes a YAML node (as parsed from a JSON or YAML document) as
// compact JSON, keeping the key order.
func writeJSON(buf *bytes.Buffer, n *yaml.Node, at string) error {
	switch n.Kind {
	case yaml.DocumentNode:
		return writeJSON(buf, n.Content[0], at)
	case yaml.AliasNode:
		return writeJSON(buf, n.Alias, at)
	case yaml.MappingNode:
		buf.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				buf.WriteByte(',')
			}
			k, _ := json.Marshal(n.Content[i].Value)
			buf.Write(k)
			buf.WriteByte(':')
			if err := writeJSON(buf, n.Content[i+1], at+"/"+n.Content[i].Value); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	case yaml.SequenceNode:
		buf.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeJSON(buf, c, at+"/"+strconv.Itoa(i)); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			buf.WriteString("null")
		case "!!bool":
			var v bool
			if err := n.Decode(&v); err != nil {
				return fmt.Errorf("%s: %w", at, err)
			}
			buf.WriteString(strconv.FormatBool(v))
		case "!!int", "!!float":
			if json.Valid([]byte(n.Value)) {
				buf.WriteString(n.Value)
				return nil
			}
			var v float64
			if err := n.Decode(&v); err != nil {
				return fmt.Errorf("%s: %w", at, err)
			}
			b, err := json.Marshal(v)
			if err != nil {
				return fmt.Errorf("%s: %w", at, err)
			}
			buf.Write(b)
		default:
			b, _ := json.Marshal(n.Value)
			buf.Write(b)
		}
	default:
		return fmt.Errorf("%s: unexpected YAML node kind %d", at, n.Kind)
	}
	return nil
}

// Scope assertions written as comments under the line they check:
//
//   (fn ^^async job [ms] ...)
//   #    ^^^^^^^ storage.modifier
//   #   ^^ - entity.other.attribute-name
//   # <-- meta.form.definition.function
//
// `#` and spaces, then carets under the checked columns (or `<` plus dashes for the columns
// from 0: `<--` is columns 0 to 2), then the scopes every covered token must have; a scope after
// `-` must be absent. An assertion line is a Gene comment, so samples stay valid Gene.

export interface Assertion {
  /** 0-based line of the source line checked, and its columns [from, to). */
  line: number;
  from: number;
  to: number;
  present: string[];
  absent: string[];
  /** 1-based line of the assertion itself, for messages. */
  at: number;
}

const ASSERTION = /^#(\s+)(\^+|<-*)\s+(\S.*)$/;

export function isAssertionLine(line: string): boolean {
  return ASSERTION.test(line);
}

export function parseAssertions(text: string): Assertion[] {
  const assertions: Assertion[] = [];
  let source = -1;
  text.split(/\r?\n/).forEach((line, index) => {
    const m = ASSERTION.exec(line);
    if (!m) {
      source = index;
      return;
    }
    if (source < 0) {
      throw new Error(`line ${index + 1}: an assertion needs a source line above it`);
    }
    const [, gap, marker, rest] = m;
    const from = marker.startsWith('<') ? 0 : 1 + gap.length;
    const to = marker.startsWith('<') ? marker.length : from + marker.length;
    const present: string[] = [];
    const absent: string[] = [];
    let negate = false;
    for (const word of rest.trim().split(/\s+/)) {
      if (word === '-') {
        negate = true;
      } else if (negate) {
        absent.push(word);
      } else {
        present.push(word);
      }
    }
    assertions.push({ line: source, from, to, present, absent, at: index + 1 });
  });
  return assertions;
}

package dev.edgebench.model;

import java.util.Map;

/**
 * The catalog's arithmetic: integers, decimals, hyper-parameter names, {@code + - * /} and
 * parentheses, evaluated in double precision. Used for tensor shapes and metadata values.
 */
final class Expr {
    private final String text;
    private final Map<String, Object> vars;
    private int pos;

    private Expr(String text, Map<String, Object> vars) {
        this.text = text;
        this.vars = vars;
    }

    /**
     * @throws IllegalArgumentException naming the expression and the unknown name or bad syntax
     */
    static double eval(String text, Map<String, Object> vars) {
        Expr e = new Expr(text, vars);
        double v = e.sum();
        e.skipSpace();
        if (e.pos != text.length()) {
            throw new IllegalArgumentException("bad expression '" + text + "' at position " + e.pos);
        }
        return v;
    }

    /** Evaluates and requires a positive integer result. */
    static long evalDim(String text, Map<String, Object> vars) {
        double v = eval(text, vars);
        if (!Double.isFinite(v) || v != Math.rint(v) || v <= 0) {
            throw new IllegalArgumentException("expression '" + text + "' gives " + v + ", not a positive integer");
        }
        return (long) v;
    }

    private double sum() {
        double v = product();
        while (true) {
            skipSpace();
            if (peek('+')) {
                pos++;
                v += product();
            } else if (peek('-')) {
                pos++;
                v -= product();
            } else {
                return v;
            }
        }
    }

    private double product() {
        double v = atom();
        while (true) {
            skipSpace();
            if (peek('*')) {
                pos++;
                v *= atom();
            } else if (peek('/')) {
                pos++;
                v /= atom();
            } else {
                return v;
            }
        }
    }

    private double atom() {
        skipSpace();
        if (peek('(')) {
            pos++;
            double v = sum();
            skipSpace();
            if (!peek(')')) {
                throw new IllegalArgumentException("missing ')' in '" + text + "'");
            }
            pos++;
            return v;
        }
        int start = pos;
        if (pos < text.length() && (Character.isDigit(text.charAt(pos)) || text.charAt(pos) == '.')) {
            while (pos < text.length() && (Character.isDigit(text.charAt(pos)) || text.charAt(pos) == '.'
                    || text.charAt(pos) == 'e' || text.charAt(pos) == 'E'
                    || ((text.charAt(pos) == '-' || text.charAt(pos) == '+') && pos > start
                    && (text.charAt(pos - 1) == 'e' || text.charAt(pos - 1) == 'E')))) {
                pos++;
            }
            String number = text.substring(start, pos);
            try {
                return Double.parseDouble(number);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad number '" + number + "' in '" + text + "' at position " + start);
            }
        }
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
            pos++;
        }
        if (start == pos) {
            throw new IllegalArgumentException("bad expression '" + text + "' at position " + pos);
        }
        String name = text.substring(start, pos);
        Object v = vars.get(name);
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("expression '" + text + "' uses '" + name + "', which the model does not define");
        }
        return n.doubleValue();
    }

    private boolean peek(char c) {
        return pos < text.length() && text.charAt(pos) == c;
    }

    private void skipSpace() {
        while (pos < text.length() && text.charAt(pos) == ' ') {
            pos++;
        }
    }
}

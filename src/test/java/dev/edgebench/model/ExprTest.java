package dev.edgebench.model;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The catalog's arithmetic. */
class ExprTest {
    private static final Map<String, Object> VARS = Map.of("n_embd", 2048.0, "n_head", 32.0, "head_dim", 64.0,
            "n_head_kv", 8.0, "rms_eps", 1e-5, "tied", true, "x1", 3.0);

    private static double eval(String s) {
        return Expr.eval(s, VARS);
    }

    @Test
    void arithmeticFollowsPrecedenceAndAssociativity() {
        assertEquals(7, eval("1 + 2 * 3"));
        assertEquals(9, eval("(1 + 2) * 3"));
        assertEquals(2, eval("8 / 2 / 2"), "left-associative division");
        assertEquals(-4, eval("1 - 2 - 3"), "left-associative subtraction");
        assertEquals(2.5, eval("5/2"));
        assertEquals(0.5, eval(".5"));
        assertEquals(1e-5, eval("1e-5"));
        assertEquals(250, eval("2.5E+2"));
        assertEquals(12, eval("  ( ( 12 ) )  "));
        assertEquals(Double.POSITIVE_INFINITY, eval("1 / 0"), "double semantics");
    }

    @Test
    void namesAreHyperParameters() {
        assertEquals(512, eval("n_head_kv * head_dim"));
        assertEquals(64, eval("n_embd / n_head"));
        assertEquals(2048 + 2 * 512, eval("n_embd + 2 * n_head_kv * head_dim"));
        assertEquals(1e-5, eval("rms_eps"));
        assertEquals(6, eval("x1 * 2"), "names may contain digits");
    }

    private static void assertError(String expr, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> eval(expr));
        assertTrue(e.getMessage().contains(expected), "'" + expr + "': " + e.getMessage());
        assertTrue(e.getMessage().contains("'" + expr + "'"), "names the expression: " + e.getMessage());
    }

    @Test
    void errorsNameTheExpressionAndTheProblem() {
        assertError("n_embd * n_ff", "uses 'n_ff', which the model does not define");
        assertError("tied * 2", "uses 'tied', which the model does not define"); // a flag is no number
        assertError("(1 + 2", "missing ')'");
        assertError("1 + ", "bad expression '1 + ' at position 4");
        assertError("2 3", "bad expression '2 3' at position 2");
        assertError("4 % 2", "at position 2");
        assertError("", "bad expression '' at position 0");
        assertError("-1", "at position 0"); // the grammar has no unary minus: catalog values are positive
        assertError("1.2.3", "bad number '1.2.3'");
        assertError("2e", "bad number '2e'");
    }

    @Test
    void dimensionsMustBePositiveIntegers() {
        assertEquals(64, Expr.evalDim("n_embd / n_head", VARS));
        assertEquals(1L << 40, Expr.evalDim("1099511627776", VARS));
        for (String bad : new String[] {"n_embd / 3", "0", "1 - 2", "0.5", "1 / 0", "0 / 0", "1e300 * 1e300"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Expr.evalDim(bad, VARS), bad);
            assertTrue(e.getMessage().contains("not a positive integer") && e.getMessage().contains(bad), e.getMessage());
        }
    }
}

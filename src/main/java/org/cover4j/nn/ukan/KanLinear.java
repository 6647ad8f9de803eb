package org.cover4j.nn.ukan;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.StringViewOptional;
import org.bytedeco.pytorch.T_TensorTensorTensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.nn.Init;
import org.cover4j.nn.Params;
import org.cover4j.torch.Ops;
import org.cover4j.torch.Tensors;
import org.cover4j.util.Rng;

/**
 * efficient-KAN's {@code KANLinear(in, out)} as U-KAN's {@code KANLayer} builds it (grid size 5, spline order 3, grid
 * range [-1, 1], SiLU base, standalone spline scaler, no bias), on (N, in) rows:
 * {@code y = SiLU(x)·base_weightᵀ + bases(x).view(N, in·8)·(spline_weight · spline_scaler[..., None]).view(out, in·8)ᵀ}.
 * Tensors {@code NAME.base_weight} (out, in), {@code NAME.spline_weight} (out, in, 8), {@code NAME.spline_scaler}
 * (out, in) and the buffer {@code NAME.grid} (in, 12): the same uniform knots for every input.
 */
final class KanLinear {
    static final int GRID_SIZE = 5;
    static final int SPLINE_ORDER = 3;
    /** Bases per input: grid size + spline order. */
    static final int BASES = GRID_SIZE + SPLINE_ORDER;
    /** Knots per input: grid size + 2·order + 1. */
    static final int KNOTS = GRID_SIZE + 2 * SPLINE_ORDER + 1;
    /** efficient-KAN's {@code scale_noise}: the spread of the noise the initial splines are fitted to. */
    static final double SCALE_NOISE = 0.1;

    private final Params params;
    private final String name;
    private final int in;
    private final int out;

    KanLinear(Params params, String name, int in, int out, Rng rng) {
        this.params = params;
        this.name = name;
        this.in = in;
        this.out = out;
        // reset_parameters, in its order: kaiming_uniform_(a=√5·scale_base) is U(±1/√in); the spline weights are the
        // least-squares fit of uniform noise at the grid's interior knots; the scaler is U(±1/√in) again.
        float[] base = Init.uniformFanIn(rng, out * in, in);
        float[] noise = new float[(GRID_SIZE + 1) * in * out];
        for (int i = 0; i < noise.length; i++) noise[i] = (float) ((rng.nextDouble() - 0.5) * SCALE_NOISE / GRID_SIZE);
        float[] spline = fitSplines(noise, in, out);
        float[] scaler = Init.uniformFanIn(rng, out * in, in);
        params.add(name + ".base_weight", base, out, in);
        params.add(name + ".spline_weight", spline, out, in, BASES);
        params.add(name + ".spline_scaler", scaler, out, in);
        params.addBuffer(name + ".grid", grid(in), in, KNOTS);
    }

    /**
     * The knots of every input, as efficient-KAN computes them in float32: {@code arange(-3, 9) · 0.4 + (-1)} (one float
     * multiplication and one float addition per knot, so these are the official buffer's exact values).
     */
    static float[] grid(int in) {
        float h = (float) ((1.0 - (-1.0)) / GRID_SIZE);
        float[] row = new float[KNOTS];
        for (int k = 0; k < KNOTS; k++) row[k] = (float) (k - SPLINE_ORDER) * h + -1f;
        float[] all = new float[in * KNOTS];
        for (int i = 0; i < in; i++) System.arraycopy(row, 0, all, i * KNOTS, KNOTS);
        return all;
    }

    /**
     * efficient-KAN's {@code curve2coeff(grid.T[3:-3], noise)}: for every input i, the spline coefficients (8 per output)
     * whose curve passes through {@code noise[k][i][o]} at the 6 interior knots, k = 0..5. Six equations in eight unknowns:
     * {@code torch.linalg.lstsq} returns the minimum-norm solution. The official call uses the default CPU driver
     * {@code gelsy}, whose result is not reproducible (pytorch/pytorch#71222); {@code gelsd} (SVD) computes the same
     * minimum-norm solution deterministically (the fixtures were made with it too). Returns (out, in, 8), C order.
     */
    static float[] fitSplines(float[] noise, int in, int out) {
        try (NoGradGuard g = new NoGradGuard()) {
            Tensor knots = Tensors.of(grid(in), in, KNOTS).narrow(1, SPLINE_ORDER, GRID_SIZE + 1).t().contiguous();
            Tensor a = bases(knots, Tensors.of(grid(in), in, KNOTS)).transpose(0, 1); // (in, 6, 8)
            Tensor b = Tensors.of(noise, GRID_SIZE + 1, in, out).transpose(0, 1); // (in, 6, out)
            T_TensorTensorTensorTensor_T r;
            // The driver's name must outlive the call (a string_view of a temporary would dangle).
            try (BytePointer driver = new BytePointer("gelsd"); StringViewOptional opt = new StringViewOptional(driver)) {
                r = torch.linalg_lstsq(a, b, new DoubleOptional(), opt);
            }
            Tensor solution = new Tensor(r.get0()); // (in, 8, out)
            float[] coeff = Tensors.toArray(solution.permute(2, 0, 1));
            Ops.release(knots, a, b, solution);
            r.close();
            return coeff;
        }
    }

    /**
     * The cubic B-spline bases (N, in, 8) of rows {@code x} (N, in) on knots {@code grid} (in, 12), efficient-KAN's
     * {@code b_splines}: order 0 is the half-open interval indicator {@code [g_j ≤ x < g_(j+1)]} (so inputs outside
     * [g_0, g_11) get all-zero bases), then Cox–de Boor for p = 1..3,
     * {@code B_(j,p) = (x − g_j)/(g_(j+p) − g_j)·B_(j,p−1) + (g_(j+p+1) − x)/(g_(j+p+1) − g_(j+1))·B_(j+1,p−1)},
     * with the official order of operations (the gradient with respect to x flows through the ratios).
     */
    static Tensor bases(Tensor x, Tensor grid) {
        Tensor u = x.unsqueeze(-1);
        Tensor lower = grid.narrow(1, 0, KNOTS - 1);
        Tensor upper = grid.narrow(1, 1, KNOTS - 1);
        Tensor b = u.ge(lower).logical_and(u.lt(upper)).to(x.scalar_type());
        for (int p = 1; p <= SPLINE_ORDER; p++) {
            int n = KNOTS - 1 - p; // bases of order p
            Tensor gj = grid.narrow(1, 0, n);
            Tensor gjp = grid.narrow(1, p, n);
            Tensor gjp1 = grid.narrow(1, p + 1, n);
            Tensor gj1 = grid.narrow(1, 1, n);
            Tensor left = u.sub(gj).div(gjp.sub(gj)).mul(b.narrow(2, 0, n));
            Tensor right = gjp1.sub(u).div(gjp1.sub(gj1)).mul(b.narrow(2, 1, n));
            b = left.add(right);
        }
        return b.contiguous();
    }

    /** The layer on (N, in) rows: (N, out). */
    Tensor apply(Tensor x) {
        long rows = x.size(0);
        Tensor base = Ops.linear(torch.silu(x), params.get(name + ".base_weight"), null);
        Tensor bases = bases(x, params.get(name + ".grid")).view(rows, (long) in * BASES);
        Tensor scaled = params.get(name + ".spline_weight").mul(params.get(name + ".spline_scaler").unsqueeze(-1))
                .view(out, (long) in * BASES);
        Tensor spline = Ops.linear(bases, scaled, null);
        Tensor y = base.add(spline);
        Ops.release(base, bases, scaled, spline);
        return y;
    }
}

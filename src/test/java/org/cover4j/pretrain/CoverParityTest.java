package org.cover4j.pretrain;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.cover4j.io.NpyArray;
import org.cover4j.nn.Params;
import org.cover4j.nn.Warp;
import org.cover4j.pretrain.cover.CoverConfig;
import org.cover4j.pretrain.cover.CoverLosses;
import org.cover4j.pretrain.cover.CoverMethod;
import org.cover4j.pretrain.cover.CoverModel;
import org.cover4j.pretrain.ViewBatch;
import org.cover4j.testing.Fixtures;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Tensors;
import org.cover4j.train.Adam;
import org.cover4j.train.GradClip;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The whole small COVER model against the reference: every backbone sub-module, every VPA intermediate,
 * the flow, both losses, gradients before and after clipping and the parameters after one Adam step (2D);
 * the forward pass in 3D. Tolerance 1e-4 relative (to each tensor's scale) for the network and the step.
 */
class CoverParityTest {
    static final double RTOL = 1e-4;

    static CoverModel loadModel(String prefix, int dims) {
        Map<String, NpyArray> io = Fixtures.load(prefix + "_io.npz");
        Map<String, NpyArray> params = Fixtures.load(prefix + "_params.npz");
        CoverConfig cfg = dims == 2
                ? new CoverConfig(2, 1, toInts(io.get("cfg_chan").longs()), (int) io.get("cfg_head_dim").scalar(),
                        toInts(io.get("cfg_num_heads").longs()), (int) io.get("cfg_amp").scalar())
                : new CoverConfig(3, 1, CoverConfig.SMALL_CHANNELS, 8, CoverConfig.DEFAULT_HEADS, 2);
        CoverModel model = new CoverModel(cfg, new Device("cpu"), new Rng(0));
        model.params().load(values(params), shapes(params), prefix + "_params.npz");
        return model;
    }

    static int[] toInts(long[] a) {
        int[] r = new int[a.length];
        for (int i = 0; i < a.length; i++) r[i] = (int) a[i];
        return r;
    }

    static Map<String, float[]> values(Map<String, NpyArray> m) {
        Map<String, float[]> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v.floats()));
        return out;
    }

    static Map<String, long[]> shapes(Map<String, NpyArray> m) {
        Map<String, long[]> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v.shape()));
        return out;
    }

    /** Compares with a tolerance relative to the tensor's own scale (max |expected|). */
    static double close(String what, NpyArray expected, Tensor actual) {
        float[] e = expected.floats();
        double scale = 0;
        for (float v : e) scale = Math.max(scale, Math.abs(v));
        return Fixtures.assertClose(what, expected, actual, RTOL, RTOL * Math.max(scale, 1e-6));
    }

    /** Also in low-memory mode (the backbone's backward pass one image at a time): the same gradients. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void smallModel2dMatchesReferenceThroughOneAdamStep(boolean recompute) {
        Map<String, NpyArray> io = Fixtures.load("cover2d_small_io.npz");
        Map<String, NpyArray> trace = Fixtures.load("cover2d_small_backbone_trace.npz");
        Map<String, NpyArray> grads = Fixtures.load("cover2d_small_grads.npz");
        Map<String, NpyArray> clipped = Fixtures.load("cover2d_small_grads_clipped.npz");
        Map<String, NpyArray> after = Fixtures.load("cover2d_small_params_after_step1.npz");
        CoverModel model = loadModel("cover2d_small", 2);
        model.memoryMode(recompute ? org.cover4j.nn.MemoryMode.LOW : org.cover4j.nn.MemoryMode.DEFAULT);
        Params p = model.params();
        assertEquals(500_152, p.count(), "parameter count of the small 2D model");
        double worst = 0;
        try (StepScope s = StepScope.open(); Adam adam = new Adam(p, 1e-4)) {
            Tensor imM = Fixtures.tensor(io.get("im_M"));
            Tensor imF = Fixtures.tensor(io.get("im_F"));
            Tensor flowGt = Fixtures.tensor(io.get("flow_gt"));
            Tensor mask = Fixtures.tensor(io.get("mask"));

            Map<String, Tensor> bb = new HashMap<>();
            ((org.cover4j.nn.UNet) model.backbone()).levels(imM, bb);
            for (String key : trace.keySet()) {
                worst = Math.max(worst, close("backbone " + key, trace.get(key), bb.get(key)));
            }

            Map<String, Tensor> tr = new HashMap<>();
            CoverModel.Output out = model.forward(imM, imF, tr);
            for (String key : io.keySet()) {
                if (key.matches("[MF][1-5]") || key.startsWith("vpa/")) {
                    worst = Math.max(worst, close(key, io.get(key), tr.get(key)));
                }
            }
            worst = Math.max(worst, close("flow_pred", io.get("flow_pred"), out.flow()));
            close("f_M", io.get("f_M"), out.featMoving());
            close("f_F", io.get("f_F"), out.featFixed());
            Tensor fM2F = Warp.apply(out.featMoving(), flowGt);
            close("f_M2F", io.get("f_M2F"), fM2F);
            assertEquals(io.get("loss_con").scalar(), CoverLosses.maskedCosine(out.featFixed(), fM2F, mask).item_double(),
                    RTOL * io.get("loss_con").scalar(), "loss_con (autograd form)");

            // The training path: the method's losses (the consistency loss's gradients by hand) and staged backward.
            CoverMethod method = new CoverMethod(model);
            LinkedHashMap<String, Tensor> losses = method.losses(new ViewBatch(imM, imF, flowGt, mask, mask.sum().item_double()));
            assertEquals(io.get("loss_vec").scalar(), losses.get("loss_vec").item_double(), RTOL * io.get("loss_vec").scalar(), "loss_vec");
            assertEquals(io.get("loss_con").scalar(), losses.get("loss_con").item_double(), RTOL * io.get("loss_con").scalar(), "loss_con");
            method.backward(losses);
            for (String name : grads.keySet()) {
                worst = Math.max(worst, close("grad " + name, grads.get(name), p.get(name).grad()));
            }
            double norm = GradClip.clip(p, 1.0);
            assertEquals(io.get("grad_total_norm").scalar(), norm, RTOL * norm, "total gradient norm");
            for (String name : clipped.keySet()) {
                close("clipped grad " + name, clipped.get(name), p.get(name).grad());
            }
            adam.step(io.get("adam_lr").scalar());
            for (String name : after.keySet()) {
                close("after step " + name, after.get(name), p.get(name));
            }
        }
        System.out.printf("2D parity (recompute %b): worst difference relative to tensor scale %.3g%n", recompute, worst);
    }

    @Test
    void smallModel3dForwardMatchesReference() {
        Map<String, NpyArray> io = Fixtures.load("cover3d_small_io.npz");
        CoverModel model = loadModel("cover3d_small", 3);
        assertEquals(1_480_648, model.params().count(), "parameter count of the small 3D model");
        double worst = 0;
        try (StepScope s = StepScope.open()) {
            Tensor flowGt = Fixtures.tensor(io.get("flow_gt"));
            Tensor mask = Fixtures.tensor(io.get("mask"));
            Map<String, Tensor> tr = new HashMap<>();
            CoverModel.Output out = model.forward(Fixtures.tensor(io.get("im_M")), Fixtures.tensor(io.get("im_F")), tr);
            for (String key : io.keySet()) {
                if (key.matches("[MF][1-5]") || key.startsWith("vpa/")) {
                    worst = Math.max(worst, close(key, io.get(key), tr.get(key)));
                }
            }
            worst = Math.max(worst, close("flow_pred", io.get("flow_pred"), out.flow()));
            Tensor fM2F = Warp.apply(out.featMoving(), flowGt);
            close("f_M2F", io.get("f_M2F"), fM2F);
            assertEquals(io.get("loss_vec").scalar(), CoverLosses.maskedL1(out.flow(), flowGt, mask).item_double(),
                    RTOL * io.get("loss_vec").scalar(), "loss_vec 3D");
            assertEquals(io.get("loss_con").scalar(), CoverLosses.maskedCosine(out.featFixed(), fM2F, mask).item_double(),
                    RTOL * io.get("loss_con").scalar(), "loss_con 3D");
        }
        System.out.printf("3D parity: worst difference relative to tensor scale %.3g%n", worst);
    }
}

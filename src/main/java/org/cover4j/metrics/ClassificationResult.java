package org.cover4j.metrics;

/**
 * Classification metrics of a set of cases. Per-class arrays are indexed by class label.
 *
 * @param n                   number of cases
 * @param confusion           {@code confusion[truth][pred]} counts
 * @param accuracy            fraction of correct predictions
 * @param balancedAccuracy    mean recall over the classes present in the reference (scikit-learn's
 *                            {@code balanced_accuracy_score})
 * @param perClassSensitivity recall {@code TP / (TP + FN)} per class, one-vs-rest; NaN for a class absent
 *                            from the reference
 * @param perClassSpecificity {@code TN / (TN + FP)} per class, one-vs-rest; NaN when every case is that class
 * @param perClassAuc         one-vs-rest ROC AUC per class from that class's probability; NaN when the class
 *                            is absent or is every case, or when no probabilities were given
 * @param sensitivity         binary: recall of class 1 (the positive class); multi-class: mean of the defined
 *                            per-class values (macro)
 * @param specificity         binary: recall of class 0; multi-class: macro mean
 * @param auc                 binary: AUC of class 1's probability; multi-class: macro mean of the defined
 *                            one-vs-rest AUCs (scikit-learn {@code roc_auc_score(multi_class="ovr")})
 */
public record ClassificationResult(int n, long[][] confusion, double accuracy, double balancedAccuracy,
                                   double[] perClassSensitivity, double[] perClassSpecificity,
                                   double[] perClassAuc, double sensitivity, double specificity, double auc) {

    /** Number of classes. */
    public int numClasses() {
        return confusion.length;
    }
}

package io.fleetwatch.streams.incident;

import io.fleetwatch.avro.SsfAssessment;
import java.util.List;
import java.util.Objects;

/**
 * The IoT-SSF map as configured: level names of both axes, the categories from mildest to most severe, and the
 * matrix (recovery-difficulty level x economic-impact level to category). Levels are 1-based; 0 means "not
 * assessed" and yields the category {@value #NONE}.
 *
 * @param recoveryLevels names of the recovery-difficulty levels, level 1 first
 * @param economicLevels names of the economic-impact levels, level 1 first
 * @param categories category names, mildest first (rank 1 first)
 * @param matrix {@code matrix.get(recovery - 1).get(economic - 1)} is a category name
 */
public record SsfMatrix(List<String> recoveryLevels, List<String> economicLevels, List<String> categories,
    List<List<String>> matrix) {
  public static final String NONE = "none";

  public SsfMatrix {
    recoveryLevels = List.copyOf(recoveryLevels);
    economicLevels = List.copyOf(economicLevels);
    categories = List.copyOf(categories);
    matrix = matrix.stream().map(List::copyOf).toList();
    if (matrix.size() != recoveryLevels.size()) {
      throw new IllegalArgumentException("matrix has " + matrix.size() + " rows, expected one per recovery level ("
          + recoveryLevels.size() + ")");
    }
    for (List<String> row : matrix) {
      if (row.size() != economicLevels.size()) {
        throw new IllegalArgumentException("matrix row has " + row.size() + " columns, expected one per economic"
            + " level (" + economicLevels.size() + ")");
      }
      for (String cell : row) {
        if (!categories.contains(cell)) {
          throw new IllegalArgumentException("unknown category '" + cell + "' in the matrix, expected one of "
              + categories);
        }
      }
    }
  }

  /** Rank of a category (1 = mildest), 0 for {@value #NONE} or an unknown name. */
  public int rank(String category) {
    return categories.indexOf(category) + 1;
  }

  /**
   * Places an asset on the map.
   *
   * @param recovery recovery-difficulty level, 0 when not assessed; above the top level counts as the top level
   * @param economic economic-impact level, 0 when not assessed
   */
  public SsfAssessment assess(int recovery, int economic) {
    int r = Math.min(Math.max(recovery, 0), recoveryLevels.size());
    int e = Math.min(Math.max(economic, 0), economicLevels.size());
    String category = r == 0 || e == 0 ? NONE : matrix.get(r - 1).get(e - 1);
    return SsfAssessment.newBuilder()
        .setRecoveryDifficulty(r)
        .setRecoveryDifficultyName(r == 0 ? null : recoveryLevels.get(r - 1))
        .setEconomicImpact(e)
        .setEconomicImpactName(e == 0 ? null : economicLevels.get(e - 1))
        .setCategory(category)
        .setRank(rank(category))
        .build();
  }

  public int topRecoveryLevel() {
    return recoveryLevels.size();
  }

  /** Whether {@code name} is a configured category. */
  public boolean isCategory(String name) {
    return Objects.requireNonNull(name).equals(NONE) || categories.contains(name);
  }
}

/** The marker beside every speedup whose timing was too spread to trust (the harness's noisy_timing flag). */
export function NoisyBadge({ noisy }: { noisy: boolean | null | undefined }) {
  return noisy ? (
    <span className="badge status-noisy" title="spread too large to trust the median: left out of fast_p and geomeans">
      noisy
    </span>
  ) : null
}

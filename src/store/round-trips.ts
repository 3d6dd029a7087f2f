/** Round trips a store made since start, shared by its parts: tests assert on them, so counts are never guessed. */
export interface RoundTrips {
  count: number;
}

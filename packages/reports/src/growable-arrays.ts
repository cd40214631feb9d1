/** Append-only typed arrays that double when full: millions of polls without per-poll objects. */
abstract class Growable<T extends Float64Array | Uint8Array | Int32Array> {
  protected data: T;
  length = 0;

  constructor(initialCapacity: number) {
    this.data = this.allocate(Math.max(16, initialCapacity));
  }

  protected abstract allocate(capacity: number): T;

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = this.allocate(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  /** The filled part (a view; valid until the next push). */
  view(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

export class GrowableFloat64Array extends Growable<Float64Array> {
  protected allocate(capacity: number): Float64Array {
    return new Float64Array(capacity);
  }
}

export class GrowableUint8Array extends Growable<Uint8Array> {
  protected allocate(capacity: number): Uint8Array {
    return new Uint8Array(capacity);
  }
}

export class GrowableInt32Array extends Growable<Int32Array> {
  protected allocate(capacity: number): Int32Array {
    return new Int32Array(capacity);
  }
}

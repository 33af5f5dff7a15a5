/**
 * The store behind automatic persisted queries: documents by hash, bounded by the total length of
 * stored text. The least recently used documents go first; a client whose document was evicted
 * simply sends it again (PERSISTED_QUERY_NOT_FOUND is part of the APQ protocol).
 */
export class BoundedDocumentCache {
  private readonly entries = new Map<string, string>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  async get(key: string): Promise<string | undefined> {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  async set(key: string, value: string): Promise<void> {
    await this.delete(key);
    if (value.length > this.maxBytes) return;
    this.entries.set(key, value);
    this.bytes += value.length;
    for (const [oldKey, oldValue] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldKey);
      this.bytes -= oldValue.length;
    }
  }

  async delete(key: string): Promise<boolean> {
    const value = this.entries.get(key);
    if (value === undefined) return false;
    this.entries.delete(key);
    this.bytes -= value.length;
    return true;
  }
}

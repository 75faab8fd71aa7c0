package dev.pedigree.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A read-only memory mapping of a whole file. The mapping lives in a shared arena, so slices may be
 * read from any thread; {@link #close()} unmaps it.
 */
public final class MappedFileSource implements ByteSource {
  private final Path path;
  private final String description;
  private final Arena arena;
  private final MemorySegment segment;

  private MappedFileSource(Path path, Arena arena, MemorySegment segment) {
    this.path = path;
    this.description = path.toString();
    this.arena = arena;
    this.segment = segment;
  }

  /** Maps {@code path}; an empty file yields an empty source. */
  public static MappedFileSource open(Path path) throws IOException {
    if (Files.isDirectory(path)) {
      throw new IOException(path + " is a directory, not a file");
    }
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = ch.size();
      Arena arena = Arena.ofShared();
      try {
        MemorySegment seg =
            size == 0 ? MemorySegment.ofArray(new byte[0]) : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        return new MappedFileSource(path, arena, seg);
      } catch (IOException | RuntimeException e) {
        arena.close();
        throw e;
      }
    }
  }

  /** The mapped file. */
  public Path path() {
    return path;
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public long size() {
    return segment.byteSize();
  }

  @Override
  public MemorySegment slice(long offset, long length) throws CorruptModelException {
    checkRange(offset, length, "range");
    return segment.asSlice(offset, length);
  }

  @Override
  public void close() {
    arena.close();
  }
}

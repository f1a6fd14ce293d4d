package dev.catsdogs.inference;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Format and pixel size of an encoded image, read from its header without decoding any pixels.
 *
 * <p>OpenCV's {@code imdecode} has no header-only mode: it allocates the full bitmap before it can
 * fail, so a 100 KB PNG claiming 100000x100000 pixels would ask for 30 GB. Reading the few header
 * bytes ourselves lets {@link ImagePreprocessor} refuse such decompression bombs first. The reader
 * also refuses truncated files, which libjpeg would otherwise "decode" with a grey lower half;
 * images over OpenCV's own limits (2^20 pixels per side, 2^30 pixels), which OpenCV would refuse
 * with an exception or a misleading "corrupt data"; and Huffman-coded JPEGs with too little scan
 * data for their declared size ({@link #MIN_PIXELS_PER_SCAN_BYTE}), such as a small file whose
 * frame header was changed to 7000x7000.
 */
record ImageHeader(Format format, long width, long height, int exifOrientation) {

    /** EXIF orientation of a JPEG without one (and of PNG and BMP): the pixels are upright. */
    static final int UPRIGHT = 1;

    /** EXIF orientation when an EXIF block is there but cannot be read. */
    static final int UNKNOWN_ORIENTATION = 0;

    enum Format {
        JPEG,
        PNG,
        BMP
    }

    // OpenCV's imgcodecs refuse images beyond these (CV_IO_MAX_IMAGE_WIDTH, _HEIGHT and _PIXELS in
    // loadsave.cpp) with an exception or a generic failure; checking here gives the real reason.
    static final long OPENCV_MAX_SIDE = 1L << 20;
    static final long OPENCV_MAX_PIXELS = 1L << 30;

    // A Huffman-coded JPEG spends at least one bit per 8x8 block of its full-resolution component
    // (a DC code; baseline also an end-of-block code), so its scan data has at least pixels / 512
    // bytes even when every pixel is the same. Half of that is a safe floor: less means the data
    // was cut or the frame header's size was changed. Arithmetic coding has no such floor.
    static final long MIN_PIXELS_PER_SCAN_BYTE = 1024;

    private static final int PNG_IHDR = 0x49484452;
    private static final int PNG_IEND = 0x49454E44;

    ImageHeader(Format format, long width, long height) {
        this(format, width, height, UPRIGHT);
    }

    long pixels() {
        return width * height;
    }

    /** True when decoding needs no EXIF rotation or flip (orientation absent or 1). */
    boolean upright() {
        return exifOrientation == UPRIGHT;
    }

    /**
     * Reads the header of {@code data} (from its position to its limit; the position is not
     * changed) and checks the pixel count against {@code maxPixels} as soon as the size is known.
     */
    static ImageHeader read(ByteBuffer data, String input, long maxPixels)
            throws InvalidImageException {
        ByteBuffer b = data.slice().order(ByteOrder.BIG_ENDIAN);
        if (b.limit() == 0) {
            throw new InvalidImageException(input, "empty (0 bytes)");
        }
        if (startsWith(b, 0xFF, 0xD8, 0xFF)) {
            return readJpeg(b, input, maxPixels);
        }
        if (startsWith(b, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return readPng(b, input, maxPixels);
        }
        if (startsWith(b, 'B', 'M')) {
            return readBmp(b, input, maxPixels);
        }
        throw new InvalidImageException(
                input, "unsupported format: " + describe(b) + "; expected JPEG, PNG or BMP");
    }

    // JPEG: walk the marker segments to the frame header (SOFn) for the size, then to the first
    // scan.
    private static ImageHeader readJpeg(ByteBuffer b, String input, long maxPixels)
            throws InvalidImageException {
        int n = b.limit();
        int pos = 2;
        long width = -1;
        long height = -1;
        int frameMarker = -1;
        int orientation = UPRIGHT;
        while (true) {
            if (pos >= n) {
                throw truncated(input, "JPEG ends at byte " + n + " inside its headers");
            }
            if (u8(b, pos) != 0xFF) {
                throw corrupt(
                        input,
                        String.format(
                                Locale.ROOT,
                                "JPEG: expected a marker at byte %d, found 0x%02X",
                                pos,
                                u8(b, pos)));
            }
            while (pos < n && u8(b, pos) == 0xFF) {
                pos++; // fill bytes before a marker
            }
            if (pos >= n) {
                throw truncated(input, "JPEG ends at byte " + n + " inside its headers");
            }
            int marker = u8(b, pos++);
            if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                continue; // markers without a length field
            }
            if (marker == 0xD9) {
                throw corrupt(input, "JPEG: end-of-image marker before any image data");
            }
            if (pos + 2 > n) {
                throw truncated(input, "JPEG ends at byte " + n + " inside its headers");
            }
            int length = u16(b, pos);
            if (length < 2) {
                throw corrupt(
                        input,
                        String.format(
                                Locale.ROOT,
                                "JPEG: segment 0xFF%02X at byte %d has invalid length %d",
                                marker,
                                pos - 2,
                                length));
            }
            if (marker == 0xE1 && orientation == UPRIGHT && pos + length <= n) {
                orientation = exifOrientation(b, pos + 2, pos + length);
            }
            if (isStartOfFrame(marker)) {
                if (pos + 7 > n) {
                    throw truncated(input, "JPEG ends at byte " + n + " inside its frame header");
                }
                frameMarker = marker;
                height = u16(b, pos + 3);
                width = u16(b, pos + 5);
                if (width == 0 || height == 0) {
                    throw corrupt(
                            input,
                            "JPEG frame header declares "
                                    + width
                                    + "x"
                                    + height
                                    + " pixels (a height defined later by a DNL marker is not"
                                    + " supported)");
                }
                checkPixels(input, width, height, maxPixels);
            }
            if (marker == 0xDA) { // start of scan: entropy-coded data follows
                if (width < 0) {
                    throw corrupt(input, "JPEG: scan data before any frame header (SOF)");
                }
                int scanStart = pos + length;
                if (scanStart > n || !hasEndOfImage(b, scanStart)) {
                    throw truncated(
                            input,
                            "JPEG has no end-of-image marker after its scan data ("
                                    + n
                                    + " bytes)");
                }
                checkScanLength(input, frameMarker, width, height, n - scanStart);
                return new ImageHeader(Format.JPEG, width, height, orientation);
            }
            pos += length;
        }
    }

    // SOF0-SOF3 (baseline, extended, progressive, lossless) are Huffman-coded; see
    // MIN_PIXELS_PER_SCAN_BYTE.
    private static void checkScanLength(
            String input, int frameMarker, long width, long height, long scanBytes)
            throws InvalidImageException {
        long atLeast = width * height / MIN_PIXELS_PER_SCAN_BYTE;
        if (frameMarker <= 0xC3 && scanBytes < atLeast) {
            throw new InvalidImageException(
                    input,
                    "corrupt JPEG data: the header declares "
                            + width
                            + "x"
                            + height
                            + " pixels, which need at least "
                            + atLeast
                            + " bytes of scan data, but the file has "
                            + scanBytes
                            + " (cut short, or its size field was changed)");
        }
    }

    /**
     * The orientation tag (0x0112) of IFD0 in an APP1 segment's payload {@code [from, to)}: {@link
     * #UPRIGHT} when the segment is not EXIF (XMP also uses APP1) or has no such tag, {@link
     * #UNKNOWN_ORIENTATION} when it is EXIF but malformed.
     */
    private static int exifOrientation(ByteBuffer b, int from, int to) {
        if (to - from < 14
                || b.getInt(from) != 0x45786966
                || b.getShort(from + 4) != 0) { // "Exif\0\0"
            return UPRIGHT;
        }
        int tiff = from + 6;
        ByteBuffer t = b.duplicate().order(ByteOrder.BIG_ENDIAN);
        int byteOrder = b.getShort(tiff);
        if (byteOrder == 0x4949) { // "II"
            t.order(ByteOrder.LITTLE_ENDIAN);
        } else if (byteOrder != 0x4D4D) { // "MM"
            return UNKNOWN_ORIENTATION;
        }
        long ifd = tiff + Integer.toUnsignedLong(t.getInt(tiff + 4));
        if (ifd + 2 > to) {
            return UNKNOWN_ORIENTATION;
        }
        int entries = Short.toUnsignedInt(t.getShort((int) ifd));
        for (int e = 0; e < entries; e++) {
            int entry = (int) ifd + 2 + 12 * e;
            if (entry + 12 > to) {
                return UNKNOWN_ORIENTATION;
            }
            if (Short.toUnsignedInt(t.getShort(entry)) == 0x0112) {
                int value = Short.toUnsignedInt(t.getShort(entry + 8)); // a SHORT, left-justified
                return value >= 1 && value <= 8 ? value : UNKNOWN_ORIENTATION;
            }
        }
        return UPRIGHT;
    }

    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range.
    private static boolean isStartOfFrame(int marker) {
        return marker >= 0xC0
                && marker <= 0xCF
                && marker != 0xC4
                && marker != 0xC8
                && marker != 0xCC;
    }

    // Searched backwards: the EOI is normally in the last two bytes, trailing junk is rare.
    private static boolean hasEndOfImage(ByteBuffer b, int from) {
        for (int i = b.limit() - 2; i >= from; i--) {
            if (u8(b, i) == 0xFF && u8(b, i + 1) == 0xD9) {
                return true;
            }
        }
        return false;
    }

    // PNG: IHDR is always the first chunk; then walk the chunk list to IEND to catch truncation.
    private static ImageHeader readPng(ByteBuffer b, String input, long maxPixels)
            throws InvalidImageException {
        int n = b.limit();
        if (n < 8 + 8 + 13) {
            throw truncated(input, "PNG ends at byte " + n + " before the end of its IHDR header");
        }
        if (b.getInt(12) != PNG_IHDR) {
            throw corrupt(
                    input, "PNG: first chunk is " + chunkName(b.getInt(12)) + ", expected IHDR");
        }
        long width = Integer.toUnsignedLong(b.getInt(16));
        long height = Integer.toUnsignedLong(b.getInt(20));
        if (width == 0 || height == 0) {
            throw corrupt(input, "PNG header declares " + width + "x" + height + " pixels");
        }
        checkPixels(input, width, height, maxPixels);
        long pos = 8;
        while (true) {
            if (pos + 8 > n) {
                throw truncated(input, "PNG ends at byte " + n + " without an IEND chunk");
            }
            long length = Integer.toUnsignedLong(b.getInt((int) pos));
            int type = b.getInt((int) pos + 4);
            long end = pos + 12 + length; // length, type, data, CRC
            if (end > n) {
                throw truncated(
                        input,
                        "PNG chunk "
                                + chunkName(type)
                                + " at byte "
                                + pos
                                + " needs "
                                + (end - pos)
                                + " bytes, but the data ends at byte "
                                + n);
            }
            if (type == PNG_IEND) {
                return new ImageHeader(Format.PNG, width, height);
            }
            pos = end;
        }
    }

    // BMP: 14-byte file header, then a 12-byte OS/2 core header or a >= 40-byte Windows info
    // header.
    private static ImageHeader readBmp(ByteBuffer b, String input, long maxPixels)
            throws InvalidImageException {
        int n = b.limit();
        if (n < 26) {
            throw truncated(input, "BMP ends at byte " + n + " inside its headers");
        }
        ByteBuffer le = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long pixelOffset = Integer.toUnsignedLong(le.getInt(10));
        long headerSize = Integer.toUnsignedLong(le.getInt(14));
        long width;
        long height;
        int bitsPerPixel;
        long compression;
        if (headerSize == 12) {
            width = Short.toUnsignedInt(le.getShort(18));
            height = Short.toUnsignedInt(le.getShort(20));
            bitsPerPixel = Short.toUnsignedInt(le.getShort(24));
            compression = 0;
        } else if (headerSize >= 40) {
            if (n < 34) {
                throw truncated(input, "BMP ends at byte " + n + " inside its headers");
            }
            width = le.getInt(18);
            height = Math.abs((long) le.getInt(22)); // negative height = rows stored top-down
            bitsPerPixel = Short.toUnsignedInt(le.getShort(28));
            compression = Integer.toUnsignedLong(le.getInt(30));
        } else {
            throw corrupt(input, "BMP: unsupported info header size " + headerSize);
        }
        if (width <= 0 || height == 0) {
            throw corrupt(input, "BMP header declares " + width + "x" + height + " pixels");
        }
        checkPixels(input, width, height, maxPixels);
        boolean uncompressed = compression == 0 || compression == 3 || compression == 6;
        if (uncompressed && bitsPerPixel > 0) {
            long rowBytes = (bitsPerPixel * width + 31) / 32 * 4; // rows are padded to 4 bytes
            long needed = pixelOffset + rowBytes * height;
            if (needed > n) {
                throw truncated(
                        input, "BMP pixel data needs " + needed + " bytes, but the data has " + n);
            }
        }
        return new ImageHeader(Format.BMP, width, height);
    }

    private static void checkPixels(String input, long width, long height, long maxPixels)
            throws InvalidImageException {
        long pixels = width * height; // both < 2^32, cannot overflow a long
        if (pixels > maxPixels) {
            throw new InvalidImageException(
                    input,
                    "image is "
                            + width
                            + "x"
                            + height
                            + " = "
                            + pixels
                            + " pixels, over the limit of "
                            + maxPixels
                            + " (optMaxPixels); refused before decoding");
        }
        if (width > OPENCV_MAX_SIDE || height > OPENCV_MAX_SIDE) {
            throw new InvalidImageException(
                    input,
                    "image is "
                            + width
                            + " x "
                            + height
                            + " pixels; OpenCV decodes at most "
                            + OPENCV_MAX_SIDE
                            + " pixels per side");
        }
        if (pixels > OPENCV_MAX_PIXELS) {
            throw new InvalidImageException(
                    input,
                    "image is "
                            + width
                            + " x "
                            + height
                            + " = "
                            + pixels
                            + " pixels; OpenCV decodes at most "
                            + OPENCV_MAX_PIXELS
                            + " pixels");
        }
    }

    // Names common non-supported formats so the message helps ("GIF" rather than hex).
    private static String describe(ByteBuffer b) {
        if (startsWith(b, 'G', 'I', 'F', '8')) {
            return "GIF";
        }
        if (startsWith(b, '%', 'P', 'D', 'F')) {
            return "PDF";
        }
        if (startsWith(b, 'I', 'I', 0x2A, 0x00) || startsWith(b, 'M', 'M', 0x00, 0x2A)) {
            return "TIFF";
        }
        if (startsWith(b, 'R', 'I', 'F', 'F') && b.limit() >= 12 && b.getInt(8) == 0x57454250) {
            return "WebP";
        }
        if (b.limit() >= 12 && b.getInt(4) == 0x66747970) {
            return "ISO media (HEIC/AVIF/MP4)";
        }
        int n = Math.min(b.limit(), 16);
        byte[] head = new byte[n];
        b.get(0, head);
        boolean text = true;
        for (byte c : head) {
            text &= (c >= 0x20 && c < 0x7F) || c == '\n' || c == '\r' || c == '\t';
        }
        if (text) {
            return "text starting with \""
                    + new String(head, StandardCharsets.US_ASCII).replaceAll("\\s", " ")
                    + "\"";
        }
        StringBuilder hex = new StringBuilder("unknown data starting with bytes");
        for (byte c : head) {
            hex.append(String.format(Locale.ROOT, " %02x", c & 0xFF));
        }
        return hex.toString();
    }

    private static String chunkName(int type) {
        byte[] name = ByteBuffer.allocate(4).putInt(type).array();
        return "'" + new String(name, StandardCharsets.ISO_8859_1) + "'";
    }

    private static boolean startsWith(ByteBuffer b, int... magic) {
        if (b.limit() < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (u8(b, i) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    private static int u8(ByteBuffer b, int i) {
        return b.get(i) & 0xFF;
    }

    private static int u16(ByteBuffer b, int i) {
        return Short.toUnsignedInt(b.getShort(i));
    }

    private static InvalidImageException truncated(String input, String detail) {
        return new InvalidImageException(input, "truncated: " + detail);
    }

    private static InvalidImageException corrupt(String input, String detail) {
        return new InvalidImageException(input, "corrupt header: " + detail);
    }
}

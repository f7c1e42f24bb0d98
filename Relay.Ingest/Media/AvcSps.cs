namespace Relay.Ingest.Media;

/// <summary>Picture size from an H.264 sequence parameter set (ITU-T H.264, 7.3.2.1.1).</summary>
public static class AvcSps
{
    /// <summary>Reads width and height (after cropping) from an AVCDecoderConfigurationRecord; false when it is malformed.</summary>
    public static bool TryReadDimensionsFromConfigurationRecord(ReadOnlySpan<byte> record, out int width, out int height)
    {
        width = height = 0;
        // configurationVersion, profile, compatibility, level, lengthSizeMinusOne, numOfSequenceParameterSets, then length + SPS.
        if (record.Length < 8 || (record[5] & 0x1F) == 0)
        {
            return false;
        }

        var length = record[6] << 8 | record[7];
        return record.Length >= 8 + length && TryReadDimensions(record.Slice(8, length), out width, out height);
    }

    /// <summary>Reads width and height from an SPS NAL unit (with its 1-byte NAL header).</summary>
    public static bool TryReadDimensions(ReadOnlySpan<byte> nal, out int width, out int height)
    {
        width = height = 0;
        if (nal.Length < 4 || (nal[0] & 0x1F) != 7)
        {
            return false;
        }

        var rbsp = RemoveEmulationPrevention(nal[1..]);
        var bits = new BitReader(rbsp);
        try
        {
            var profile = bits.Read(8);
            bits.Read(16); // constraint flags, level
            bits.ReadUe(); // seq_parameter_set_id
            var chromaFormat = 1;
            if (profile is 100 or 110 or 122 or 244 or 44 or 83 or 86 or 118 or 128 or 138 or 139 or 134 or 135)
            {
                chromaFormat = (int)bits.ReadUe();
                if (chromaFormat == 3)
                {
                    bits.Read(1); // separate_colour_plane_flag
                }

                bits.ReadUe(); // bit_depth_luma_minus8
                bits.ReadUe(); // bit_depth_chroma_minus8
                bits.Read(1); // qpprime_y_zero_transform_bypass_flag
                if (bits.Read(1) == 1)
                {
                    for (var i = 0; i < (chromaFormat != 3 ? 8 : 12); i++)
                    {
                        if (bits.Read(1) == 1)
                        {
                            SkipScalingList(ref bits, i < 6 ? 16 : 64);
                        }
                    }
                }
            }

            bits.ReadUe(); // log2_max_frame_num_minus4
            var pocType = bits.ReadUe();
            if (pocType == 0)
            {
                bits.ReadUe();
            }
            else if (pocType == 1)
            {
                bits.Read(1);
                bits.ReadSe();
                bits.ReadSe();
                var cycle = bits.ReadUe();
                if (cycle > 255)
                {
                    return false;
                }

                for (var i = 0; i < cycle; i++)
                {
                    bits.ReadSe();
                }
            }

            bits.ReadUe(); // max_num_ref_frames
            bits.Read(1); // gaps_in_frame_num_value_allowed_flag
            var widthInMbs = bits.ReadUe() + 1;
            var heightInMapUnits = bits.ReadUe() + 1;
            var frameMbsOnly = bits.Read(1);
            if (frameMbsOnly == 0)
            {
                bits.Read(1); // mb_adaptive_frame_field_flag
            }

            bits.Read(1); // direct_8x8_inference_flag
            uint cropLeft = 0, cropRight = 0, cropTop = 0, cropBottom = 0;
            if (bits.Read(1) == 1)
            {
                cropLeft = bits.ReadUe();
                cropRight = bits.ReadUe();
                cropTop = bits.ReadUe();
                cropBottom = bits.ReadUe();
            }

            var cropUnitX = chromaFormat is 1 or 2 ? 2 : 1;
            var cropUnitY = (chromaFormat == 1 ? 2 : 1) * (2 - (int)frameMbsOnly);
            var w = (long)widthInMbs * 16 - (cropLeft + cropRight) * cropUnitX;
            var h = (long)heightInMapUnits * 16 * (2 - frameMbsOnly) - (cropTop + cropBottom) * cropUnitY;
            if (w is <= 0 or > 16384 || h is <= 0 or > 16384)
            {
                return false;
            }

            width = (int)w;
            height = (int)h;
            return true;
        }
        catch (IndexOutOfRangeException)
        {
            return false;
        }
    }

    private static void SkipScalingList(ref BitReader bits, int size)
    {
        int last = 8, next = 8;
        for (var j = 0; j < size; j++)
        {
            if (next != 0)
            {
                next = (last + bits.ReadSe() + 256) % 256;
            }

            last = next == 0 ? last : next;
        }
    }

    private static byte[] RemoveEmulationPrevention(ReadOnlySpan<byte> data)
    {
        var output = new List<byte>(data.Length);
        var zeros = 0;
        foreach (var b in data)
        {
            if (zeros >= 2 && b == 3)
            {
                zeros = 0;
                continue;
            }

            zeros = b == 0 ? zeros + 1 : 0;
            output.Add(b);
        }

        return [.. output];
    }

    private ref struct BitReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _bit;

        public uint Read(int count)
        {
            uint value = 0;
            for (var i = 0; i < count; i++)
            {
                if (_bit >> 3 >= _data.Length)
                {
                    throw new IndexOutOfRangeException("SPS truncated");
                }

                value = value << 1 | (uint)((_data[_bit >> 3] >> (7 - (_bit & 7))) & 1);
                _bit++;
            }

            return value;
        }

        public uint ReadUe()
        {
            var zeros = 0;
            while (Read(1) == 0)
            {
                if (++zeros > 31)
                {
                    throw new IndexOutOfRangeException("Exp-Golomb code too long");
                }
            }

            return zeros == 0 ? 0 : (uint)((1L << zeros) - 1 + Read(zeros));
        }

        public int ReadSe()
        {
            var k = ReadUe();
            return (k & 1) == 1 ? (int)((k + 1) / 2) : -(int)(k / 2);
        }
    }
}

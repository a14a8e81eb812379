#!/usr/bin/python3
"""Builds the fuzzing seed corpus (tests/fuzz/corpus/<target>/) from the repository's own fixtures and deploy files.

Run from the repository root with Debian's python3 (python3-avro): /usr/bin/python3 tests/fuzz/make_corpus.py
Every seed is derived from a file whose provenance is already recorded (tests/fixtures/*/PROVENANCE.tsv, deploy/);
tests/fuzz/corpus/PROVENANCE.tsv says which. Small seeds fuzz faster: AFL mutates every byte it is given.
"""
import gzip, io, json, os, shutil, struct, tarfile

import avro.datafile, avro.io

ROOT = os.getcwd()
OUT = os.path.join(ROOT, "tests", "fuzz", "corpus")
FIX = os.path.join(ROOT, "tests", "fixtures")
rows = []


def put(target, name, data, source, how):
    folder = os.path.join(OUT, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)
    rows.append((f"{target}/{name}", source, how, str(len(data))))


def read(rel):
    with open(os.path.join(ROOT, rel), "rb") as f:
        return f.read()


shutil.rmtree(OUT, ignore_errors=True)

# alert: real messages of each form the decoder takes.
for rel in ["tests/fixtures/alerts/ztf_edge_cases/jpeg_cutouts_v1.1_2018/1726958725155000.avro",
            "tests/fixtures/alerts/ztf_edge_cases/no_cutouts_ampel_repack/1391345455815015017.avro",
            "tests/fixtures/alerts/ztf/ampel_recent_alerts_20180607/522193343315015001.avro"]:
    put("alert", os.path.basename(rel), read(rel), rel, "as is")
body = read("tests/fixtures/rubin_kafka_v9/00_0000004283.avro")
put("alert", "lsstcam_v9_framed.bin", b"\x00" + struct.pack(">i", 1) + body,
    "tests/fixtures/rubin_kafka_v9/00_0000004283.avro", "Confluent frame (magic 0, schema id 1) around the message body")

# schema: the writer schemas of real alerts, and small ones with every kind of type.
put("schema", "lsst_v9.json", read("tests/fixtures/rubin_kafka_v9/schema.json"), "tests/fixtures/rubin_kafka_v9/schema.json", "as is")
with open(os.path.join(FIX, "alerts/ztf/ampel_recent_alerts_20180607/522193343315015001.avro"), "rb") as f:
    reader = avro.datafile.DataFileReader(f, avro.io.DatumReader())
    put("schema", "ztf_1_8.json", reader.meta["avro.schema"], "tests/fixtures/alerts/ztf/ampel_recent_alerts_20180607/522193343315015001.avro", "the container header's avro.schema")
small = {
    "kinds.json": {"type": "record", "name": "K", "namespace": "n", "fields": [
        {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A", "B"], "default": "A"}},
        {"name": "f", "type": {"type": "fixed", "name": "F", "size": 4}},
        {"name": "m", "type": {"type": "map", "values": ["null", "double"]}, "default": {}},
        {"name": "a", "type": {"type": "array", "items": "F"}},
        {"name": "d", "type": {"type": "int", "logicalType": "date"}, "aliases": ["day"]},
        {"name": "x", "type": ["null", "long", "string", "bytes", "float", "boolean"], "default": None}]},
    "recursive.json": {"type": "record", "name": "Node", "fields": [
        {"name": "v", "type": "int"}, {"name": "next", "type": ["null", "Node"], "default": None}]},
}
for name, schema in small.items():
    put("schema", name, json.dumps(schema).encode(), "(written here)", "hand-written schema")

# fits: a ZTF cutout as delivered (gzipped FITS) and unzipped; an LSSTCam cutout (plain FITS).
with open(os.path.join(FIX, "alerts/ztf/ampel_recent_alerts_20180607/522193343315015001.avro"), "rb") as f:
    alert = next(avro.datafile.DataFileReader(f, avro.io.DatumReader()))
stamp = alert["cutoutDifference"]["stampData"]
put("fits", "ztf_difference.fits.gz", stamp, "tests/fixtures/alerts/ztf/ampel_recent_alerts_20180607/522193343315015001.avro", "cutoutDifference.stampData")
put("fits", "ztf_difference.fits", gzip.decompress(stamp), "tests/fixtures/alerts/ztf/ampel_recent_alerts_20180607/522193343315015001.avro", "cutoutDifference.stampData, gunzipped")
schema = avro.schema.parse(read("tests/fixtures/rubin_kafka_v9/schema.json").decode())
rubin = avro.io.DatumReader(schema).read(avro.io.BinaryDecoder(io.BytesIO(body)))
put("fits", "lsstcam_difference.fits", rubin["cutoutDifference"], "tests/fixtures/rubin_kafka_v9/00_0000004283.avro", "cutoutDifference")

# source: files of each form (tar.gz of alert files, an Avro container, a Parquet export, a framed dump).
buffer = io.BytesIO()
with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
    data = read("tests/fixtures/alerts/ztf_edge_cases/jpeg_cutouts_v1.1_2018/1726958725155000.avro")
    info = tarfile.TarInfo("1726958725155000.avro")
    info.size = len(data)
    info.mtime = 0
    tar.addfile(info, io.BytesIO(data))
put("source", "ztf_night.tar.gz", buffer.getvalue(), "tests/fixtures/alerts/ztf_edge_cases/jpeg_cutouts_v1.1_2018/1726958725155000.avro", "in a tar.gz, as ZTF's nightly tarballs")
put("source", "multi_record.avro", read("tests/fixtures/alerts/ztf_edge_cases/multi_record_ocf/avro_multi_alerts_other.avro"), "tests/fixtures/alerts/ztf_edge_cases/multi_record_ocf/avro_multi_alerts_other.avro", "as is")
rel = "tests/fixtures/ztf_parquet/pairs/fink-broker_datatest_part-00002_three-rows.parquet"
put("source", "fink_three_rows.parquet", read(rel), rel, "as is")
put("source", "lsstcam_framed.bin", b"\x00" + struct.pack(">i", 7) + body, "tests/fixtures/rubin_kafka_v9/00_0000004283.avro", "Confluent frame (magic 0, schema id 7) around the message body")

# filter: the shipped subscriptions.
for name in sorted(os.listdir(os.path.join(ROOT, "deploy/filters"))):
    put("filter", name, read(f"deploy/filters/{name}"), f"deploy/filters/{name}", "as is")

# config: the shipped configurations.
for name in ["broker.json", "cluster.json"]:
    put("config", name, read(f"deploy/{name}"), f"deploy/{name}", "as is")

# selftest: any input; the harness's own check that crashes are reported.
put("selftest", "seed.txt", b"seed", "(written here)", "four bytes")

with open(os.path.join(OUT, "PROVENANCE.tsv"), "w") as f:
    f.write("seed\tderived_from\thow\tbytes\n")
    for row in rows:
        f.write("\t".join(row) + "\n")
print(f"{len(rows)} seeds in {OUT}")

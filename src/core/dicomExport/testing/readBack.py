"""Reads a LungLens SEG or SR back with pydicom and prints what a test compares, as JSON.

SEG: per segment, the voxels set (frames unpacked by pydicom), frames, and the source SOP
Instance UID each frame points at. SR: every NUM content item as {concept meaning, value, unit}
with its group's tracking identifier, every SCOORD, and the referenced SOP instances.
"""
import json
import sys

import numpy as np
import pydicom


def seg(ds):
    frames = ds.pixel_array.reshape(int(ds.NumberOfFrames), ds.Rows, ds.Columns)
    out = {}
    for k, f in enumerate(ds.PerFrameFunctionalGroupsSequence):
        n = int(f.SegmentIdentificationSequence[0].ReferencedSegmentNumber)
        s = out.setdefault(str(n), {"voxels": 0, "frames": 0, "sources": [], "positions": []})
        s["voxels"] += int(np.count_nonzero(frames[k]))
        s["frames"] += 1
        s["sources"].append(f.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID)
        s["positions"].append([float(v) for v in f.PlanePositionSequence[0].ImagePositionPatient])
    segments = {
        str(int(s.SegmentNumber)): {
            "label": s.SegmentLabel,
            "type": s.SegmentedPropertyTypeCodeSequence[0].CodeValue,
            "scheme": s.SegmentedPropertyTypeCodeSequence[0].CodingSchemeDesignator,
            "algorithm": s.SegmentAlgorithmName,
            "algorithmVersion": s.SegmentationAlgorithmIdentificationSequence[0].AlgorithmVersion,
        }
        for s in ds.SegmentSequence
    }
    return {"frames": out, "segments": segments}


def walk(items, group, out):
    for it in items:
        name = it.ConceptNameCodeSequence[0].CodeMeaning if "ConceptNameCodeSequence" in it else ""
        g = group
        if it.ValueType == "TEXT" and name == "Tracking Identifier":
            g = it.TextValue
        if it.ValueType == "NUM":
            mv = it.MeasuredValueSequence[0]
            out["num"].append({"group": group, "name": name, "code": it.ConceptNameCodeSequence[0].CodeValue,
                               "value": float(mv.NumericValue), "unit": mv.MeasurementUnitsCodeSequence[0].CodeValue})
        if it.ValueType == "CODE":
            out["code"].append({"group": group, "name": name, "value": it.ConceptCodeSequence[0].CodeMeaning})
        if it.ValueType == "TEXT":
            out["text"].append({"group": group, "name": name, "value": it.TextValue})
        if it.ValueType == "SCOORD":
            out["scoord"].append({"group": group, "type": it.GraphicType, "data": [float(v) for v in it.GraphicData]})
        if it.ValueType == "IMAGE":
            r = it.ReferencedSOPSequence[0]
            out["image"].append({"group": group, "name": name, "sop": r.ReferencedSOPInstanceUID,
                                 "segment": int(r.ReferencedSegmentNumber) if "ReferencedSegmentNumber" in r else None})
        if "ContentSequence" in it:
            # Children of a measurement group belong to it: its tracking identifier comes first.
            sub = it.ContentSequence
            tid = next((c.TextValue for c in sub if c.ValueType == "TEXT" and c.ConceptNameCodeSequence[0].CodeMeaning == "Tracking Identifier"), g)
            walk(sub, tid, out)


def sr(ds):
    out = {"num": [], "code": [], "text": [], "scoord": [], "image": []}
    walk(ds.ContentSequence, None, out)
    evidence = [s.ReferencedSOPInstanceUID for st in ds.CurrentRequestedProcedureEvidenceSequence
                for se in st.ReferencedSeriesSequence for s in se.ReferencedSOPSequence]
    out["evidence"] = evidence
    out["template"] = ds.ContentTemplateSequence[0].TemplateIdentifier
    return out


def main(path):
    ds = pydicom.dcmread(path)
    common = {k: str(getattr(ds, k, "")) for k in ("PatientName", "PatientID", "StudyInstanceUID", "SeriesInstanceUID",
                                                  "SOPInstanceUID", "SOPClassUID", "Modality", "FrameOfReferenceUID")}
    body = seg(ds) if ds.Modality == "SEG" else sr(ds)
    print(json.dumps({"common": common, **body}))


if __name__ == "__main__":
    main(sys.argv[1])

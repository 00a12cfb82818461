"""pycoral.utils.dataset: label files."""
import re


def read_label_file(file_path):
    """{id: label} from a label file: 'ID label' (or 'ID: label') per line, else one label per
    line numbered from 0."""
    labels = {}
    with open(file_path, "r", encoding="utf-8") as f:
        for number, line in enumerate(f.read().splitlines()):
            text = line.strip()
            parts = re.split(r"[:\s]+", text, maxsplit=1)
            if len(parts) == 2 and parts[0].isdigit():
                labels[int(parts[0])] = parts[1].strip()
            else:
                labels[number] = text
    return labels

// The playground's only JavaScript: what the browser allows no other way. No arithmetic on the model here.

/** Puts an RGBA buffer (width × height × 4 bytes) into a canvas. */
export function drawPixels(canvasId, pixels, width, height) {
    const canvas = document.getElementById(canvasId);
    if (!canvas) return;
    if (canvas.width !== width) canvas.width = width;
    if (canvas.height !== height) canvas.height = height;
    const image = new ImageData(new Uint8ClampedArray(pixels.slice()), width, height);
    canvas.getContext("2d").putImageData(image, 0, 0);
}

export function getHash() {
    return window.location.hash;
}

/** Replaces the hash without adding a history entry for every setting touched. */
export function setHash(hash) {
    if (window.location.hash !== hash) history.replaceState(null, "", hash);
}

export function download(fileName, bytes) {
    const blob = new Blob([bytes.slice()], { type: "application/octet-stream" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = fileName;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

export function copyText(text) {
    navigator.clipboard?.writeText(text);
}

/** Resolves on the next animation frame, so a training slice ends where the browser paints. */
export function nextFrame() {
    return new Promise(resolve => requestAnimationFrame(() => resolve()));
}

/** Draws straight lines on a canvas: 6 numbers each (x1, y1, x2, y2, width, sign), blue for sign > 0, orange below. */
export function drawLines(canvasId, lines, width, height) {
    const canvas = document.getElementById(canvasId);
    if (!canvas) return;
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    const context = canvas.getContext("2d");
    context.scale(ratio, ratio);
    context.lineCap = "round";
    const values = lines.slice();
    for (let i = 0; i + 5 < values.length; i += 6) {
        context.beginPath();
        context.moveTo(values[i], values[i + 1]);
        context.lineTo(values[i + 2], values[i + 3]);
        context.lineWidth = values[i + 4];
        context.strokeStyle = values[i + 5] > 0 ? "rgb(8,119,189)" : "rgb(245,147,34)";
        context.stroke();
    }
}

/**
 * A draw pad: a canvas of 32×32 cells (the UCI digits were drawn at 32×32) that the pointer paints with a round pen
 * 6.5 cells wide. The data's strokes are that thick: its lit 4×4 blocks hold 9.6 on-cells on average, and a pen of
 * radius 3.25 gives straight strokes 9.5 (radius 1.5 gave 5 to 6, and a stroke of 1 read as 4). Only the bitmap leaves
 * it (readPad); counting it into 8×8 is the library's (DigitsData.FromBitmap).
 */
export function initPad(canvasId) {
    const canvas = document.getElementById(canvasId);
    if (!canvas || canvas.dataset.pad) return;
    canvas.dataset.pad = "1";
    const side = 32;
    canvas.width = side;
    canvas.height = side;
    canvas._cells = new Uint8Array(side * side);
    const context = canvas.getContext("2d");
    context.fillStyle = "#fff";
    context.fillRect(0, 0, side, side);
    const radius = 3.25;
    let down = false, last = null;
    const dot = (x, y) => {
        for (let row = Math.floor(y - radius); row <= Math.ceil(y + radius); row++)
            for (let column = Math.floor(x - radius); column <= Math.ceil(x + radius); column++) {
                if (row < 0 || column < 0 || row >= side || column >= side) continue;
                const dx = column + 0.5 - x, dy = row + 0.5 - y;
                if (dx * dx + dy * dy > radius * radius) continue;
                canvas._cells[row * side + column] = 1;
                context.fillStyle = "#000";
                context.fillRect(column, row, 1, 1);
            }
    };
    // Pointer events come tens of pixels apart on a quick stroke: the pen goes along the segment in half-cell steps.
    const paint = event => {
        const box = canvas.getBoundingClientRect();
        const x = (event.clientX - box.left) / box.width * side, y = (event.clientY - box.top) / box.height * side;
        const from = last ?? { x, y };
        const steps = Math.max(1, Math.ceil(Math.hypot(x - from.x, y - from.y) / 0.5));
        for (let t = 1; t <= steps; t++) dot(from.x + (x - from.x) * t / steps, from.y + (y - from.y) * t / steps);
        last = { x, y };
    };
    canvas.addEventListener("pointerdown", event => { down = true; last = null; canvas.setPointerCapture(event.pointerId); paint(event); });
    canvas.addEventListener("pointermove", event => { if (down) paint(event); });
    const up = () => { down = false; last = null; };
    canvas.addEventListener("pointerup", up);
    canvas.addEventListener("pointercancel", up);
}

/** The pad's 32×32 cells, row by row, as a string of '0' and '1'. */
export function readPad(canvasId) {
    const canvas = document.getElementById(canvasId);
    return canvas && canvas._cells ? Array.from(canvas._cells).join("") : "";
}

export function clearPad(canvasId) {
    const canvas = document.getElementById(canvasId);
    if (!canvas || !canvas._cells) return;
    canvas._cells.fill(0);
    const context = canvas.getContext("2d");
    context.fillStyle = "#fff";
    context.fillRect(0, 0, canvas.width, canvas.height);
}

/** The width an element is drawn at, in CSS pixels: a map shrunk on a narrow screen turns clicks into points by it. */
export function drawnWidth(elementId) {
    const element = document.getElementById(elementId);
    return element ? element.getBoundingClientRect().width : 0;
}
